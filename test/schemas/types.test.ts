import t from 'tap'
import type { SessionContext } from '../../src/auth/session-context.js'
import type { Document as StoredDocument } from '../../src/db/documents.js'
import type { OutboxMessage } from '../../src/emulator/index.js'
import type { PolicyRole as EmulatorPolicyRole } from '../../src/emulator/state.js'
import type { PolicyRole } from '../../src/rbac/policy.js'
import type { Document } from '../../src/schemas/document.js'
import type { AuthenticatedMember, AuthenticatedOrganization, AuthenticatedSession, AuthenticationFactorView, SessionView } from '../../src/schemas/session.js'

/**
 * Compile-time checks (`npm run typecheck`): the shapes the code builds are the shapes the schemas
 * describe, so a hand-written type can be replaced by its `Static<>` without changing anything.
 */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false

const member: Same<SessionContext['member'], AuthenticatedMember> = true
const organization: Same<SessionContext['organization'], AuthenticatedOrganization> = true
const session: Same<SessionContext['session'], AuthenticatedSession> = true
const factor: Same<SessionContext['session']['authentication_factors'][number], AuthenticationFactorView> = true
const view: Same<Omit<SessionContext, 'startedAtMs'>, SessionView> = true
const document: Same<StoredDocument, Document> = true
const policy: Same<EmulatorPolicyRole, PolicyRole> = true
const outbox: Same<OutboxMessage['type'], 'login' | 'signup' | 'invite' | 'discovery'> = true

t.test('the session context, documents, policy and outbox types are the schemas\' Static types', async (t) => {
  t.same([member, organization, session, factor, view, document, policy, outbox], Array(8).fill(true))
})
