import t from 'tap'
import { buildApp, emulatorCalls, emulatorGet, loginForTokens, type TestApp } from '../helper.js'

/**
 * The deny matrix, generated from the route declarations: every operation that declares a
 * permission (x-permission in the OpenAPI document, which is derived from route config) × every
 * kind of caller. The expected answer comes from this oracle — the grants the issue specifies —
 * not from the code under test. For every denial: no Stytch call and no side effect.
 */
const everyMember = (r: string, a: string): boolean => r === 'stytch.self' || (r === 'sessions' && a === 'update')
const GRANTS: Record<string, (resource: string, action: string) => boolean> = {
  viewer: (r, a) => everyMember(r, a) || (r === 'documents' && a === 'read'),
  editor: (r, a) => everyMember(r, a) || (r === 'documents' && ['read', 'create', 'update'].includes(a)),
  admin: () => true,
  otherOrgAdmin: () => true
}
const ACTORS = { anonymous: null, viewer: 'viewer@acme.test', editor: 'editor@acme.test', admin: 'admin@acme.test', otherOrgAdmin: 'admin@globex.test' } as const
type Actor = keyof typeof ACTORS

interface Permission { resource: string, action: string, organization: 'path' | 'session' }
interface Operation { method: string, path: string, operationId: string, permissions: Permission[] }

/** A valid request for each operation (path filled in per case), so an allowed call really succeeds. */
function requestFor (op: Operation, ctx: { orgId: string, documentId: string, etag: string, targetId: string, n: number }) {
  const url = op.path.replace('{organizationId}', ctx.orgId).replace('{documentId}', ctx.documentId).replace('{memberId}', ctx.targetId)
  const bodies: Record<string, unknown> = {
    updateMe: { name: `Renamed ${ctx.n}` },
    inviteMember: { email_address: `invitee${ctx.n}@acme.test`, roles: ['viewer'] },
    updateMemberRoles: { roles: ['viewer'] },
    updateCurrentSession: { custom_claims: { theme: 'dark' } },
    createDocument: { title: `Doc ${ctx.n}`, body: 'x' },
    updateDocument: { title: `Edited ${ctx.n}` },
    updateOrganization: { organization_name: `Acme ${ctx.n}` }
  }
  const headers: Record<string, string> = ['updateDocument', 'deleteDocument'].includes(op.operationId) ? { 'if-match': ctx.etag } : {}
  return { method: op.method.toUpperCase() as 'GET', url, headers, ...(op.operationId in bodies ? { payload: bodies[op.operationId] as object } : {}) }
}

async function snapshot (ctx: TestApp, orgIds: string[]) {
  const documents = await ctx.app.db.query<{ id: string, version: number }>('select id, version from documents where organization_id = any($1) order by id', [orgIds])
  const organizations = [...ctx.emulator.state.organizations.values()].map((o) => ({ id: o.organization_id, name: o.organization_name, slug: o.organization_slug, domains: o.email_allowed_domains, invites: o.email_invites }))
  const members = [...ctx.emulator.state.members.values()].map((m) => ({ id: m.member_id, name: m.name, roles: m.explicit_roles, status: m.status, metadata: m.untrusted_metadata }))
  const outbox = (await emulatorGet<{ messages: unknown[] }>(ctx.emulator, 'emulator/outbox')).messages.length
  return { documents: documents.rows, organizations, members, outbox }
}

t.test('deny matrix: every protected operation × every caller', async (t) => {
  const ctx = await buildApp(t)
  const spec = ctx.app.swagger() as unknown as { paths: Record<string, Record<string, { operationId: string, 'x-permission'?: Permission[] }>> }
  const operations: Operation[] = Object.entries(spec.paths).flatMap(([path, methods]) =>
    Object.entries(methods).filter(([, op]) => op['x-permission'] !== undefined)
      .map(([method, op]) => ({ method, path, operationId: op.operationId, permissions: op['x-permission'] as Permission[] })))
  t.ok(operations.length >= 8, `${operations.length} protected operations`)

  const tokens: Partial<Record<Actor, string>> = {}
  for (const [actor, email] of Object.entries(ACTORS)) {
    if (email !== null) tokens[actor as Actor] = (await loginForTokens(ctx.app, ctx.emulator, email)).session_jwt
  }
  const acme = [...ctx.emulator.state.organizations.values()].find((o) => o.organization_slug === 'acme')
  const globex = [...ctx.emulator.state.organizations.values()].find((o) => o.organization_slug === 'globex')
  const orgId = acme?.organization_id as string
  const adminId = [...ctx.emulator.state.members.values()].find((m) => m.email_address === 'admin@acme.test')?.member_id as string

  let n = 0
  let denials = 0
  const results: string[] = []
  for (const op of operations) {
    for (const actor of Object.keys(ACTORS) as Actor[]) {
      n++
      // Fresh fixtures per case: an allowed call may delete the document or remove the member.
      const { document } = await ctx.app.documents.create(orgId, { title: `fixture ${n}`, body: '' }, adminId)
      // Invitation operations act on an invited member; the others on an active one.
      const { member: target } = op.path.includes('/invitations/')
        ? await ctx.app.stytch.client.magicLinks.email.invite({ organization_id: orgId, email_address: `target${n}@acme.test`, roles: ['editor'] })
        : await ctx.app.stytch.client.organizations.members.create({ organization_id: orgId, email_address: `target${n}@acme.test`, roles: ['editor'] })
      const request = requestFor(op, { orgId, documentId: document.id, etag: `"v${document.version}"`, targetId: target.member_id, n })
      const token = tokens[actor]
      if (token !== undefined) request.headers.authorization = `Bearer ${token}`

      const crossOrg = actor === 'otherOrgAdmin' && op.permissions.some((p) => p.organization === 'path')
      const allowed = actor !== 'anonymous' && !crossOrg && op.permissions.every((p) => GRANTS[actor]?.(p.resource, p.action))
      const expected = actor === 'anonymous' ? 401 : allowed ? 'success' : 403

      const before = await snapshot(ctx, [orgId, globex?.organization_id as string])
      const callsBefore = await emulatorCalls(ctx.emulator)
      const response = await ctx.app.inject(request)
      const label = `${op.operationId} as ${actor}`
      results.push(`${label}: ${response.statusCode}`)
      if (expected === 'success') {
        t.ok(response.statusCode >= 200 && response.statusCode < 300, `${label} → ${response.statusCode} (allowed)`)
        continue
      }
      denials++
      t.equal(response.statusCode, expected, `${label} → ${expected}`)
      t.equal(response.json().code, expected === 401 ? 'missing_credentials' : 'permission_denied')
      t.same(await emulatorCalls(ctx.emulator), callsBefore, `${label}: no Stytch call`)
      t.same(await snapshot(ctx, [orgId, globex?.organization_id as string]), before, `${label}: no side effect`)
    }
  }
  t.comment(`deny matrix: ${operations.length} operations × ${Object.keys(ACTORS).length} callers = ${n} cases, ${denials} denials`)
  t.equal(n, operations.length * 5)
})
