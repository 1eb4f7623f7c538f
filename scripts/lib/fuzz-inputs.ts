// The fuzz of every operation in openapi.yaml that takes input (issue 14): inputs generated from the
// spec's own schemas — valid values mixed with hostile mutations — sent to the app in-process, and
// every answer checked: no 5xx but a deliberate 503, every error in the API's one shape with no
// stack trace, no 401 for a session that is valid, and (where the path was not mutated) the answer
// documented in openapi.yaml. Shared by scripts/fuzz.ts (≥ 1,000 inputs per operation) and
// test/fuzz/fuzz.test.ts (a smaller run in CI). Deterministic for a seed: each operation draws from
// its own PRNG, seeded from the run's seed and its operationId (server-issued ids differ per run).
import { readFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { parse } from 'yaml'
import type { RunningEmulator } from '../../src/emulator/index.js'
import { openApiValidator } from '../../test/contract/openapi-validator.js'
import { inviteMember, latestMessage, loginForCookies, loginForTokens, magicLinkToken, SPA_ORIGIN, type BodyLogin } from './harness.js'

// ---------------------------------------------------------------------------------------------
// Seeded PRNG (mulberry32) and the helpers the generators draw with.

export class Rng {
  private state: number
  constructor (seed: number) { this.state = seed >>> 0 }

  next (): number {
    this.state = (this.state + 0x6D2B79F5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  /** An integer in [min, max]. */
  int (min: number, max: number): number { return min + Math.floor(this.next() * (max - min + 1)) }
  chance (p: number): boolean { return this.next() < p }
  pick<T> (items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list')
    return items[Math.floor(this.next() * items.length)] as T
  }

  weighted<T> (entries: ReadonlyArray<readonly [T, number]>): T {
    const total = entries.reduce((sum, [, w]) => sum + w, 0)
    let r = this.next() * total
    for (const [value, weight] of entries) {
      r -= weight
      if (r < 0) return value
    }
    return (entries.at(-1) as readonly [T, number])[0]
  }

  string (alphabet: string, length: number): string {
    let out = ''
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(this.next() * alphabet.length)]
    return out
  }

  uuid (): string {
    const hex = this.string('0123456789abcdef', 32)
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${'89ab'[this.int(0, 3)]}${hex.slice(17, 20)}-${hex.slice(20)}`
  }
}

/** FNV-1a of a string, mixed with the seed: each operation gets its own stream of inputs. */
export function operationSeed (seed: number, operationId: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0)
  for (const ch of operationId) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0
  return h >>> 0
}

// ---------------------------------------------------------------------------------------------
// The operations, read from openapi.yaml.

type Schema = Record<string, unknown>
interface SpecParameter { name: string, in: 'path' | 'query' | 'header' | 'cookie', required?: boolean, schema: Schema }
interface SpecOperation { operationId: string, parameters?: SpecParameter[], requestBody?: { required?: boolean, content?: Record<string, { schema?: Schema }> }, security?: unknown[] }
interface Spec { paths: Record<string, Record<string, SpecOperation>>, components: { schemas: Record<string, Schema> } }

export interface FuzzOperation {
  operationId: string
  method: string
  /** The OpenAPI path, e.g. /v1/organizations/{organizationId}/documents. */
  path: string
  /** The Fastify route template, e.g. /v1/organizations/:organizationId/documents. */
  route: string
  parameters: SpecParameter[]
  body?: Schema
  /** Needs credentials (cookie or bearer). */
  secured: boolean
}

const SPEC_FILE = new URL('../../openapi.yaml', import.meta.url)
let spec: Spec | undefined
const loadSpec = (): Spec => { spec ??= parse(readFileSync(SPEC_FILE, 'utf8')) as Spec; return spec }

function deref (schema: Schema): Schema {
  const ref = schema.$ref
  if (typeof ref !== 'string') return schema
  const name = ref.replace('#/components/schemas/', '')
  const target = loadSpec().components.schemas[name]
  if (target === undefined) throw new Error(`unresolved $ref ${ref}`)
  return deref(target)
}

/**
 * Every operation of openapi.yaml that takes input: parameters, a body, or credentials (an
 * operation whose only input is the session is fuzzed through its credentials). The rest (the
 * health probes) are listed in `skipped`.
 */
export function fuzzOperations (): { operations: FuzzOperation[], skipped: string[] } {
  const operations: FuzzOperation[] = []
  const skipped: string[] = []
  for (const [path, item] of Object.entries(loadSpec().paths)) {
    for (const [method, operation] of Object.entries(item)) {
      const parameters = operation.parameters ?? []
      const bodySchema = operation.requestBody?.content?.['application/json']?.schema ?? operation.requestBody?.content?.['application/x-www-form-urlencoded']?.schema
      const secured = (operation.security ?? []).length > 0
      if (parameters.length === 0 && bodySchema === undefined && !secured) {
        skipped.push(operation.operationId)
        continue
      }
      operations.push({
        operationId: operation.operationId,
        method: method.toUpperCase(),
        path,
        route: path.replace(/\{([^}]+)\}/g, ':$1'),
        parameters,
        ...(bodySchema === undefined ? {} : { body: bodySchema }),
        secured
      })
    }
  }
  return { operations, skipped }
}

// ---------------------------------------------------------------------------------------------
// The world the inputs are drawn from: real ids, tokens and sessions of the running app.

/** Operations whose success can end sessions the fuzz authenticates with. */
const SESSION_ENDING = new Set(['logout', 'revokeAllSessions', 'revokeSession', 'revokeMemberSessions', 'removeMember', 'updateMemberRoles', 'switchOrganization'])

interface Credentials { jwt: string, token: string, memberSessionId: string, issuedAt: number }

/** How long a bearer JWT is used before it is refreshed (the app refuses JWTs older than JWT_MAX_AGE_SECONDS, 300 s). */
const JWT_REFRESH_MS = 120_000

export class FuzzWorld {
  readonly app: FastifyInstance
  readonly emulator: RunningEmulator
  /** A port the app listens on: inputs whose path must arrive as written (dot-segments) go over a socket. */
  port: number | undefined
  org = { id: '', slug: 'acme' }
  otherOrg = { id: '', slug: 'globex' }
  adminMemberId = ''
  admin!: Credentials
  /** The admin's browser session: cookie names → values. */
  cookies: Record<string, string> = {}
  cookieSessionId = ''
  /** Valid credentials of other members: a viewer of acme (fewer permissions) and globex's admin (another organization). */
  viewerJwt = ''
  otherOrgJwt = ''
  private othersIssuedAt = 0
  /** Sessions of the admin other than the ones the fuzz authenticates with (revokeSession targets). */
  victimSessions: string[] = []
  /** Members the fuzz may change or remove (never the admin). */
  victimMembers: string[] = []
  /** Unused magic-link tokens of the admin. */
  magicTokens: string[] = []
  /** Unused discovery-link tokens (sent without PKCE, so they work with no verifier) and unspent intermediate session tokens. */
  discoveryTokens: string[] = []
  intermediateTokens: string[] = []
  /** Document id → current version. */
  documents = new Map<string, number>()
  cursors: string[] = []
  idempotencyKeys: string[] = []
  /** Documents whose version the fuzz lost track of (a 412): read again before the next input. */
  staleDocuments = new Set<string>()
  private counter = 0
  /** Set when an answer may have ended the fuzz's own sessions (logout, revoke all): checked before the next input. */
  sessionsInDoubt = false
  relogins = 0

  constructor (app: FastifyInstance, emulator: RunningEmulator) {
    this.app = app
    this.emulator = emulator
  }

  unique (prefix: string): string { return `${prefix}-${++this.counter}` }

  private credentialsOf (login: BodyLogin): Credentials {
    return { jwt: login.session_jwt, token: login.session_token, memberSessionId: login.session.member_session_id, issuedAt: Date.now() }
  }

  async loginAdmin (): Promise<void> {
    const login = await loginForTokens(this.app, this.emulator, 'admin@acme.test')
    this.admin = this.credentialsOf(login)
    this.adminMemberId = login.member.member_id
    this.org = { id: login.organization.organization_id, slug: login.organization.organization_slug }
  }

  async loginCookies (): Promise<void> {
    const { cookies, response } = await loginForCookies(this.app, this.emulator, 'admin@acme.test')
    this.cookies = cookies
    this.cookieSessionId = response.json<{ session: { member_session_id: string } }>().session.member_session_id
  }

  /** The other members' sessions and the browser session, again (their JWTs must stay younger than JWT_MAX_AGE_SECONDS). */
  async loginOthers (): Promise<void> {
    this.viewerJwt = (await loginForTokens(this.app, this.emulator, 'viewer@acme.test')).session_jwt
    const globex = await loginForTokens(this.app, this.emulator, 'admin@globex.test', 'globex')
    this.otherOrgJwt = globex.session_jwt
    this.otherOrg = { id: globex.organization.organization_id, slug: globex.organization.organization_slug }
    if (this.othersIssuedAt > 0) await this.loginCookies()
    this.othersIssuedAt = Date.now()
  }

  get cookieNames (): { session: string, jwt: string } { return this.app.sessions.names }

  static async create (app: FastifyInstance, emulator: RunningEmulator, port?: number): Promise<FuzzWorld> {
    const world = new FuzzWorld(app, emulator)
    world.port = port
    await world.loginAdmin()
    await world.loginCookies()
    await world.loginOthers()
    // The RBAC policy cache is warm before the first input (a deny never costs a Stytch call).
    await app.inject({ url: `/v1/organizations/${world.org.slug}/documents`, headers: { authorization: `Bearer ${world.admin.jwt}` } })
    return world
  }

  private bearer (): Record<string, string> { return { authorization: `Bearer ${this.admin.jwt}` } }

  /** What an operation's valid inputs need: victim sessions and members, documents, unused tokens; fresh credentials. */
  async prepare (operation: FuzzOperation): Promise<void> {
    if (this.sessionsInDoubt) await this.checkSessions()
    if (Date.now() - this.admin.issuedAt > JWT_REFRESH_MS) await this.refreshAdmin()
    if (Date.now() - this.othersIssuedAt > JWT_REFRESH_MS) await this.loginOthers()
    for (const documentId of this.staleDocuments) {
      const read = await this.app.inject({ url: `/v1/organizations/${this.org.slug}/documents/${documentId}`, headers: this.bearer() })
      if (read.statusCode === 200) this.documents.set(documentId, read.json<{ version: number }>().version)
      else this.documents.delete(documentId)
    }
    this.staleDocuments.clear()
    const id = operation.operationId
    if (id === 'revokeSession' && this.victimSessions.length === 0) {
      this.victimSessions.push((await loginForTokens(this.app, this.emulator, 'admin@acme.test')).session.member_session_id)
    }
    if (['updateMemberRoles', 'revokeMemberSessions', 'removeMember', 'getMember', 'resendInvitation', 'revokeInvitation'].includes(id) && this.victimMembers.length < 2) {
      this.victimMembers.push(await inviteMember(this.app, this.admin.jwt, this.org.slug, `${this.unique('victim')}@acme.test`))
    }
    if (['getDocument', 'updateDocument', 'deleteDocument', 'listDocuments'].includes(id) && this.documents.size < 3) {
      const created = await this.app.inject({ method: 'POST', url: `/v1/organizations/${this.org.slug}/documents`, headers: this.bearer(), payload: { title: this.unique('doc'), body: 'seed' } })
      if (created.statusCode !== 201) throw new Error(`could not create a document: ${created.statusCode} ${created.body}`)
      this.documents.set(created.json<{ id: string }>().id, 1)
    }
    if (['authenticateMagicLink', 'magicLinkCallback'].includes(id) && this.magicTokens.length === 0) {
      // Invite links carry no PKCE (Stytch's invite has no challenge), so their tokens log in with
      // no verifier: valid inputs for both authenticateMagicLink and the landing page.
      const email = `${this.unique('invitee')}@acme.test`
      await inviteMember(this.app, this.admin.jwt, this.org.slug, email)
      this.magicTokens.push(await magicLinkToken(this.app, this.emulator, email, this.org.slug, undefined, 'invite'))
    }
    await this.prepareDiscovery(id)
  }

  /** A discovery link sent straight through the SDK without a PKCE challenge: usable with no verifier. */
  private async discoveryToken (): Promise<string> {
    const email = `${this.unique('discoverer')}@acme.test`
    await this.app.stytch.client.magicLinks.email.discovery.send({ email_address: email })
    return (await latestMessage(this.emulator, email)).token
  }

  private async prepareDiscovery (id: string): Promise<void> {
    if (['authenticateDiscoveryMagicLink', 'discoveryMagicLinkCallback'].includes(id) && this.discoveryTokens.length === 0) {
      this.discoveryTokens.push(await this.discoveryToken())
    }
    if (['listDiscoveredOrganizations', 'exchangeIntermediateSession', 'createOrganizationViaDiscovery'].includes(id) && this.intermediateTokens.length < 2) {
      const token = await this.discoveryToken()
      const found = await this.app.stytch.client.magicLinks.discovery.authenticate({ discovery_magic_links_token: token })
      this.intermediateTokens.push(found.intermediate_session_token)
    }
  }

  private async refreshAdmin (): Promise<void> {
    const refreshed = await this.app.inject({ method: 'POST', url: '/v1/auth/session/refresh', payload: { session_token: this.admin.token } })
    if (refreshed.statusCode === 200) {
      this.admin = { ...this.admin, jwt: refreshed.json<{ session_jwt: string }>().session_jwt, issuedAt: Date.now() }
    } else {
      await this.relogin()
    }
  }

  /** Whether the fuzz's own sessions are still alive (after an answer that revoked sessions); new logins for those that are not. */
  async checkSessions (): Promise<void> {
    this.sessionsInDoubt = false
    const alive = async (headers: Record<string, string>): Promise<boolean> => (await this.app.inject({ url: '/v1/me', headers })).statusCode === 200
    if (!await alive(this.bearer())) await this.relogin()
    if (!await alive({ cookie: Object.entries(this.cookies).map(([k, v]) => `${k}=${v}`).join('; ') })) {
      this.relogins++
      await this.loginCookies()
    }
    if (!await alive({ authorization: `Bearer ${this.viewerJwt}` })) {
      this.relogins++
      this.viewerJwt = (await loginForTokens(this.app, this.emulator, 'viewer@acme.test')).session_jwt
    }
    if (!await alive({ authorization: `Bearer ${this.otherOrgJwt}` })) {
      this.relogins++
      this.otherOrgJwt = (await loginForTokens(this.app, this.emulator, 'admin@globex.test', 'globex')).session_jwt
    }
  }

  async relogin (): Promise<void> {
    this.relogins++
    await this.loginAdmin()
  }

  /** Takes what an answer tells about the world: new documents and versions, used tokens, revoked sessions, removed members. */
  observe (input: FuzzInput, status: number, body: string): void {
    const json = (): Record<string, unknown> => { try { return JSON.parse(body) as Record<string, unknown> } catch { return {} } }
    const ok = status >= 200 && status < 300
    switch (input.operationId) {
      case 'createDocument':
      case 'getDocument':
      case 'updateDocument': {
        const doc = json()
        if (ok && typeof doc.id === 'string' && typeof doc.version === 'number') this.documents.set(doc.id, doc.version)
        if (status === 404 && typeof input.chosen.documentId === 'string') this.documents.delete(input.chosen.documentId)
        if (status === 412 && typeof input.chosen.documentId === 'string') this.staleDocuments.add(input.chosen.documentId)
        break
      }
      case 'deleteDocument':
        if ((ok || status === 404) && typeof input.chosen.documentId === 'string') this.documents.delete(input.chosen.documentId)
        if (status === 412 && typeof input.chosen.documentId === 'string') this.staleDocuments.add(input.chosen.documentId)
        break
      case 'listDocuments': {
        const page = json()
        if (ok && typeof page.next_cursor === 'string' && this.cursors.length < 50) this.cursors.push(page.next_cursor)
        break
      }
      case 'authenticateMagicLink':
      case 'magicLinkCallback':
        if ((ok || status === 303 || status === 401) && typeof input.chosen.token === 'string') {
          this.magicTokens = this.magicTokens.filter((t) => t !== input.chosen.token)
        }
        break
      case 'authenticateDiscoveryMagicLink':
        if ((ok || status === 401) && typeof input.chosen.token === 'string') this.discoveryTokens = this.discoveryTokens.filter((t) => t !== input.chosen.token)
        break
      case 'exchangeIntermediateSession':
      case 'createOrganizationViaDiscovery': {
        const spent = input.chosen.intermediate_session_token
        if ((ok || status === 401) && typeof spent === 'string') this.intermediateTokens = this.intermediateTokens.filter((t) => t !== spent)
        break
      }
      case 'revokeSession':
        if ((ok || status === 404) && typeof input.chosen.sessionId === 'string') this.victimSessions = this.victimSessions.filter((s) => s !== input.chosen.sessionId)
        break
      case 'removeMember':
      case 'revokeInvitation':
        if ((ok || status === 404) && typeof input.chosen.memberId === 'string') this.victimMembers = this.victimMembers.filter((m) => m !== input.chosen.memberId)
        break
      case 'getMember':
      case 'resendInvitation':
      case 'updateMemberRoles':
      case 'revokeMemberSessions':
        // Gone (removed or its invitation withdrawn by an earlier operation): not a victim any more.
        if (status === 404 && typeof input.chosen.memberId === 'string') this.victimMembers = this.victimMembers.filter((m) => m !== input.chosen.memberId)
        break
      case 'listMembers':
      case 'listInvitations': {
        const page = json()
        if (ok && typeof page.next_cursor === 'string' && this.cursors.length < 50) this.cursors.push(page.next_cursor)
        break
      }
      case 'refreshSession':
        if (ok && input.chosen.session_token === this.admin.token) {
          const jwt = json().session_jwt
          if (typeof jwt === 'string') this.admin = { ...this.admin, jwt, issuedAt: Date.now() }
        }
        break
      case 'revokeAllSessions':
      case 'logout':
        if (ok) this.victimSessions = []
        break
    }
    // Hostile inputs can hit the fuzz's own sessions too (another member's logout, a member id that is
    // the admin's): after any answer that revoked something, the next input starts with live sessions.
    if (ok && SESSION_ENDING.has(input.operationId)) this.sessionsInDoubt = true
    if (input.operationId === 'createDocument' && typeof input.chosen['idempotency-key'] === 'string' && this.idempotencyKeys.length < 50) {
      this.idempotencyKeys.push(input.chosen['idempotency-key'])
    }
  }

  /** A document the fuzz knows, and its version (0: unknown, the If-Match is then stale). */
  knownDocument (rng: Rng): [string, number] | undefined {
    if (this.documents.size === 0) return undefined
    return rng.pick([...this.documents.entries()])
  }
}

// ---------------------------------------------------------------------------------------------
// Inputs.

export type AuthMode = 'none' | 'bearer' | 'cookie' | 'token' | 'other-member' | 'hostile'
/** Credentials the fuzz knows to be valid: a 401 with them is a false logout. */
export const VALID_AUTH: ReadonlySet<AuthMode> = new Set(['bearer', 'cookie', 'token', 'other-member'])

export interface FuzzInput {
  operationId: string
  method: string
  /** The path as written (may carry dot-segments and raw percent-encodings). */
  path: string
  /** The raw query string, without '?'. */
  query: string
  headers: Record<string, string | string[]>
  body?: string | Buffer
  auth: AuthMode
  /** The path was mutated: it may route elsewhere (or nowhere), so the answer is not checked against this operation's spec. */
  pathMutated: boolean
  /** What was done to the input (mutations), for the report. */
  labels: string[]
  /** The valid values chosen for named slots (ids, tokens, keys), so observe() can update the world. */
  chosen: Record<string, unknown>
}

/** A JSON token written verbatim (numbers JSON.stringify cannot write, invalid JSON, deep nesting). */
class Raw {
  constructor (readonly text: string) {}
}

function jsonText (value: unknown): string {
  if (value instanceof Raw) return value.text
  if (value === undefined) return 'null'
  if (Array.isArray(value)) return `[${value.map(jsonText).join(',')}]`
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v)}`).join(',')}}`
  }
  return JSON.stringify(value)
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
const URLSAFE = `${ALNUM}_-`
const WORDS = ['plan', 'Q3', 'login', 'notes', 'café', 'naïve', '中文', 'émoji 😀', 'שלום', 'Ωμέγα', 'draft', 'x', ' ', 'A&B', 'tab\there', 'line\nbreak', 'quote"s', 'back\\slash']

/** Valid strings for the patterns openapi.yaml uses (a new pattern must get a generator here: the run fails otherwise). */
const PATTERNS: Record<string, (rng: Rng) => string> = {
  '^(?!\\.+$)[A-Za-z0-9._~-]{2,128}$': (rng) => rng.chance(0.5) ? rng.pick(['acme', 'globex', 'nope-org', 'a.b', '~x~']) : rng.string(`${ALNUM}._~-`, rng.int(2, 40)),
  '^[A-Za-z0-9_=-]{20,200}$': (rng) => rng.string(`${URLSAFE}=`, rng.chance(0.7) ? 44 : rng.int(20, 200)),
  '^[A-Za-z0-9._~-]{43,128}$': (rng) => rng.string(`${ALNUM}._~-`, rng.int(43, 128)),
  '^[A-Za-z0-9_-]{20,200}$': (rng) => rng.string(URLSAFE, rng.chance(0.7) ? 44 : rng.int(20, 200)),
  '^session-(test|live)-[A-Za-z0-9_-]+$': (rng) => `session-${rng.pick(['test', 'live'])}-${rng.uuid()}`,
  '^member-(test|live)-[A-Za-z0-9_-]+$': (rng) => `member-${rng.pick(['test', 'live'])}-${rng.uuid()}`,
  '^[A-Za-z0-9_.-]{1,64}$': (rng) => rng.chance(0.8) ? rng.pick(['editor', 'viewer', 'stytch_member', 'stytch_admin']) : rng.string(`${ALNUM}_.-`, rng.int(1, 64)),
  '^[\\x21-\\x7E]{1,128}$': (rng) => rng.string('!"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~', rng.int(1, 128)),
  '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$': (rng) => rng.pick(['en', 'en-US', 'fr-CA', 'zh-Hant-TW', 'deu', 'pt-BR']),
  '^[A-Z]{2}$': (rng) => rng.pick(['US', 'FR', 'DE', 'JP', 'ZZ']),
  // The sealed link context (forged ones name nobody) and a PKCE challenge.
  '^[A-Za-z0-9_-]{1,1024}$': (rng) => rng.string(URLSAFE, rng.int(1, 200)),
  '^[A-Za-z0-9_-]{43}$': (rng) => rng.string(URLSAFE, 43),
  // updateOrganization: a slug (mostly its own, or another organization's: a 409; rarely a new one,
  // which the rest of the run then lives with), a logo URL (generated by its `uri` format), a domain.
  '^(?=.*[A-Za-z0-9])[A-Za-z0-9._~-]{2,128}$': (rng) => rng.chance(0.95) ? rng.pick(['acme', 'globex']) : `acme-${rng.string(`${ALNUM}._~-`, rng.int(1, 30))}`,
  '^https?://': (rng) => `https://cdn.${rng.string('abcdefghijklmnopqrstuvwxyz', rng.int(1, 10))}.test/logo.png`,
  '\\.': (rng) => rng.chance(0.7) ? rng.pick(['acme.test', 'eu.acme.test', 'gmail.com', 'acme.123']) : `${rng.string('abcdefghijklmnopqrstuvwxyz0123456789', rng.int(1, 20))}.test`
}

/** Every pattern of the spec has a generator (checked before a run, so a new schema cannot be fuzzed with junk only). */
export function uncoveredPatterns (): string[] {
  const found = new Set<string>()
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk)
    else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        if (key === 'pattern' && typeof child === 'string') found.add(child)
        else walk(child)
      }
    }
  }
  walk(loadSpec())
  return [...found].filter((pattern) => PATTERNS[pattern] === undefined)
}

/** Per-input generation state. */
interface Gen {
  rng: Rng
  world: FuzzWorld
  operation: FuzzOperation
  chosen: Record<string, unknown>
}

const NONE = Symbol('none')
/** Optional fields that make most valid inputs fail when present (a PKCE verifier for a link sent without a challenge). */
const RARE_OPTIONAL = new Set(['pkce_code_verifier'])

/** Valid values for slots whose meaning the schema alone does not carry: real ids, tokens, versions. */
function namedValue (name: string, g: Gen): unknown {
  const { rng, world, operation } = g
  const id = operation.operationId
  switch (name) {
    case 'organizationId':
      return rng.weighted([[world.org.slug, 5], [world.org.id, 4], [world.otherOrg.slug, 1]])
    case 'memberId':
      return rng.chance(0.85) && world.victimMembers.length > 0 ? rng.pick(world.victimMembers) : NONE
    case 'sessionId':
      return rng.chance(0.8) && world.victimSessions.length > 0 ? rng.pick(world.victimSessions) : NONE
    case 'documentId': {
      const known = rng.chance(0.85) ? world.knownDocument(rng) : undefined
      if (known === undefined) return rng.uuid()
      g.chosen.version = known[1]
      return known[0]
    }
    case 'if-match': {
      const version = typeof g.chosen.version === 'number' && g.chosen.version > 0 ? g.chosen.version : rng.int(1, 5)
      return rng.weighted([[`"v${version}"`, 8], [`"v${version + 1}"`, 1], [`"v${Math.max(1, version - 1)}"`, 1]])
    }
    case 'idempotency-key':
      return rng.chance(0.3) && world.idempotencyKeys.length > 0 ? rng.pick(world.idempotencyKeys) : NONE
    case 'cursor':
      return rng.chance(0.6) && world.cursors.length > 0 ? rng.pick(world.cursors) : NONE
    case 'token': {
      const tokens = ['authenticateDiscoveryMagicLink', 'discoveryMagicLinkCallback'].includes(id) ? world.discoveryTokens : world.magicTokens
      return rng.chance(0.5) && tokens.length > 0 ? rng.pick(tokens) : NONE
    }
    case 'intermediate_session_token':
      return rng.chance(0.8) && world.intermediateTokens.length > 0 ? rng.pick(world.intermediateTokens) : NONE
    case 'organization_id':
      return rng.weighted([[world.org.slug, 5], [world.org.id, 2], [world.otherOrg.slug, 1], ['nope-org', 1]])
    case 'session_token':
      return rng.chance(0.6) ? world.admin.token : NONE
    case 'next':
      return rng.pick(['http://api.test:3000/docs', 'https://evil.test/steal', 'http://api.test:3000/docs/', '/docs', 'javascript:alert(1)', 'http://api.test:3000@evil.test/'])
    case 'stytch_token_type':
      return rng.pick(['multi_tenant_magic_links', 'discovery', 'oauth', ''])
    case 'email_address':
      if (id === 'inviteMember') return rng.chance(0.9) ? `${world.unique('invitee')}@acme.test` : rng.pick(['admin@acme.test', 'x@globex.test', 'nobody@example.com'])
      return rng.pick(['admin@acme.test', 'editor@acme.test', `${world.unique('signup')}@acme.test`, 'x@globex.test', 'nobody@example.com', 'ADMIN@ACME.TEST'])
    case 'organization':
      return rng.weighted([[world.org.slug, 4], [world.org.id, 2], [world.otherOrg.slug, 1], ['nope-org', 1], [`organization-test-${rng.uuid()}`, 1]])
    default:
      return NONE
  }
}

function validString (schema: Schema, g: Gen): string {
  const { rng } = g
  const format = schema.format
  if (format === 'email') return `${rng.string('abcdefghijklmnopqrstuvwxyz0123456789.', rng.int(1, 20)).replace(/^\.|\.$/g, 'x').replace(/\.\./g, '.x')}@${rng.pick(['acme.test', 'example.com', 'globex.test'])}`
  if (format === 'uuid') return rng.uuid()
  // Within the last 30 days or the next one: a time filter that matches some rows, or none.
  if (format === 'date-time') return new Date(Date.now() + rng.int(-30 * 86_400, 86_400) * 1000).toISOString()
  if (format === 'uri') return `https://${rng.string('abcdefghijklmnopqrstuvwxyz', rng.int(1, 10))}.test/${rng.string(ALNUM, rng.int(0, 20))}`
  if (typeof schema.pattern === 'string') {
    const generate = PATTERNS[schema.pattern]
    if (generate === undefined) throw new Error(`no generator for pattern ${schema.pattern}`)
    return generate(rng)
  }
  const min = typeof schema.minLength === 'number' ? schema.minLength : 0
  const max = typeof schema.maxLength === 'number' ? schema.maxLength : 200
  const target = rng.chance(0.1) ? max : rng.int(min, Math.min(max, 60))
  const chars: string[] = []
  while (chars.length < target) chars.push(...(chars.length === 0 ? '' : ' '), ...rng.pick(WORDS))
  chars.length = target
  // A string of spaces only satisfies minLength too; keep a visible character for the first one.
  if (chars.length > 0 && min > 0 && chars[0] === ' ') chars[0] = 'x'
  return chars.join('')
}

function validValue (input: Schema, name: string, g: Gen): unknown {
  const named = namedValue(name, g)
  if (named !== NONE) {
    g.chosen[name] = named
    return named
  }
  const schema = deref(input)
  const { rng } = g
  const anyOf = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined
  if (anyOf !== undefined) {
    const options = anyOf.map(deref)
    const nullable = options.find((o) => o.type === 'null')
    const others = options.filter((o) => o.type !== 'null')
    return validValue(nullable !== undefined && rng.chance(0.15) ? nullable : rng.pick(others), `${name}|`, g)
  }
  if (Array.isArray(schema.enum)) return rng.pick(schema.enum)
  const type = Array.isArray(schema.type) ? rng.pick((schema.type as string[]).filter((t) => t !== 'null')) : schema.type
  let value: unknown
  switch (type) {
    case 'string': value = validString(schema, g); break
    case 'integer':
    case 'number': {
      const min = typeof schema.minimum === 'number' ? schema.minimum : -1000
      const max = typeof schema.maximum === 'number' ? schema.maximum : 1000
      value = rng.weighted([[min, 1], [max, 1], [rng.int(min, Math.min(max, min + 100)), 3], [rng.int(min, max), 3]])
      break
    }
    case 'boolean': value = rng.chance(0.5); break
    case 'null': value = null; break
    case 'array': {
      const items = (schema.items ?? {}) as Schema
      const max = Math.min(typeof schema.maxItems === 'number' ? schema.maxItems : 4, 4)
      const list: unknown[] = []
      const count = rng.int(typeof schema.minItems === 'number' ? schema.minItems : 0, max)
      for (let i = 0; i < count * 3 && list.length < count; i++) {
        const item = validValue(items, `${name}[]`, g)
        if (schema.uniqueItems !== true || !list.some((x) => JSON.stringify(x) === JSON.stringify(item))) list.push(item)
      }
      value = list
      break
    }
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, Schema>
      const required = new Set((schema.required ?? []) as string[])
      const object: Record<string, unknown> = {}
      for (const [key, child] of Object.entries(properties)) {
        if (required.has(key) || rng.chance(RARE_OPTIONAL.has(key) ? 0.1 : 0.6)) object[key] = validValue(child, key, g)
      }
      if (typeof schema.additionalProperties === 'object' && schema.additionalProperties !== null) {
        const count = rng.int(0, 3)
        for (let i = 0; i < count; i++) object[rng.string('abcdefghijklmnopqrstuvwxyz_', rng.int(1, 12))] = validValue(schema.additionalProperties as Schema, `${name}{}`, g)
      }
      const minProperties = typeof schema.minProperties === 'number' ? schema.minProperties : 0
      const keys = Object.keys(properties)
      while (Object.keys(object).length < minProperties && keys.length > 0) {
        const key = rng.pick(keys)
        object[key] ??= validValue(properties[key] as Schema, key, g)
      }
      value = object
      break
    }
    default:
      value = rng.pick(WORDS)
  }
  return value
}

// Hostile values.

const deepArray = (depth: number): Raw => new Raw('['.repeat(depth) + ']'.repeat(depth))
const deepObject = (depth: number): Raw => new Raw('{"a":'.repeat(depth) + '1' + '}'.repeat(depth))

const HOSTILE_STRINGS: readonly string[] = [
  '', ' ', '\u0000', 'a\u0000b', '\u0000'.repeat(10), '\uD800', 'x\uDFFFy', '\uDBFF\uDBFF', '\uFFFE', '\uFEFFbom', '\u202Eevil', '\u00A0',
  '../../../etc/passwd', '..', '.', '%2E%2E', 'a/../b', '%00', '\r\nSet-Cookie: a=b', '<script>alert(1)</script>', '\' OR \'1\'=\'1', '"; DROP TABLE documents; --',
  '$' + '{jndi:ldap://x}', '{{7*7}}', '%s%s%n', '__proto__', 'constructor', 'null', 'undefined', 'NaN', 'Infinity', '-Infinity', '1e400', '-0', 'true', '[]', '{}',
  'Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇', '😀'.repeat(300), 'a'.repeat(129), 'a'.repeat(201), 'a'.repeat(513), 'a'.repeat(5000), 'é'.repeat(30_000),
  'member-test-..', 'session-test-../../x', 'organization-test-%2F..', 'admin@acme.test\u0000', 'admin@acme.test\n', ' admin@acme.test', 'a@b', '@acme.test', 'admin@@acme.test'
]

const HOSTILE_VALUES: readonly unknown[] = [
  null, true, false, 0, -1, 1.5, -0.5, 2 ** 53 + 1, -(2 ** 53) - 1, 1e308, -1e308, 5e-324, [], [''], [[]], [null], {}, { a: 1 }, { $ne: null }, { $gt: '' },
  new Raw('1e400'), new Raw('-1e400'), new Raw('1E999'), new Raw('-0'), new Raw('0.0000000000000000000000000001'), new Raw('123456789012345678901234567890'),
  new Raw('"\\ud800"'), new Raw('"\\u0000"'), new Raw('"\\udfff\\ud800"'), new Raw('"\\uFFFF"'), new Raw('[1e400]'), new Raw('{"x":1e400}'),
  deepArray(64), deepObject(64)
]

/** Not JSON at all, or JSON.parse-only oddities: each a 400 invalid_json. */
const INVALID_JSON_TOKENS: readonly string[] = ['NaN', 'Infinity', '-Infinity', '0x10', '01', '.5', '1.', '+1', 'undefined', "'x'", '"\\x41"', '"\\u12"', '"\u0001"', '"\n"', '\u0000', '//c', '/*c*/1', 'tru', 'nul']

const HOSTILE_NUMBERS: readonly unknown[] = [
  new Raw('1e400'), new Raw('-1e400'), new Raw('1e308'), new Raw('-1e308'), new Raw('-0'), new Raw('5e-324'), new Raw('9007199254740993'), new Raw('1.0000000000000002'),
  0, -1, 1.5, 2 ** 31, 2 ** 32, -(2 ** 31) - 1, 2 ** 53, 527041, 4, 999999999999, '5', '1e400', 'Infinity', true, null
]

const UNKNOWN_KEYS: readonly string[] = ['extra', '__proto__', 'constructor', 'prototype', 'admin', 'roles', 'organization_id', 'member_id', 'session_jwt', 'session_token', '$where', '', ' ', '\u0000', 'a'.repeat(300), 'toString', 'hasOwnProperty', 'https://stytch.com/session']

type Path = Array<string | number>

/** Every position in a JSON value (keys of objects and indexes of arrays), depth-first. */
function positions (value: unknown, prefix: Path = []): Path[] {
  const out: Path[] = []
  if (Array.isArray(value)) value.forEach((child, i) => { out.push([...prefix, i], ...positions(child, [...prefix, i])) })
  else if (value !== null && typeof value === 'object' && !(value instanceof Raw)) {
    for (const [key, child] of Object.entries(value)) out.push([...prefix, key], ...positions(child, [...prefix, key]))
  }
  return out
}

const clone = <T>(value: T): T => (value instanceof Raw ? value : Array.isArray(value) ? value.map(clone) as T : value !== null && typeof value === 'object' ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clone(v)])) as T : value)

function getAt (value: unknown, path: Path): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)?.[key], value)
}

function setAt (value: unknown, path: Path, replacement: unknown): unknown {
  if (path.length === 0) return replacement
  const copy = clone(value) as Record<string | number, unknown>
  const parent = path.slice(0, -1).reduce<Record<string | number, unknown>>((node, key) => node[key] as Record<string | number, unknown>, copy)
  // defineProperty: a '__proto__' key is an own property here, as JSON.parse would make it.
  Object.defineProperty(parent, path.at(-1) as string | number, { value: replacement, enumerable: true, writable: true, configurable: true })
  return copy
}

function deleteAt (value: unknown, path: Path): unknown {
  const copy = clone(value) as Record<string | number, unknown>
  const parent = path.slice(0, -1).reduce<Record<string | number, unknown>>((node, key) => node[key] as Record<string | number, unknown>, copy)
  const last = path.at(-1) as string | number
  if (Array.isArray(parent)) parent.splice(Number(last), 1)
  else Reflect.deleteProperty(parent, last)
  return copy
}

/** Invalid UTF-8: a lone continuation byte, overlong encodings, a UTF-16 surrogate encoded (CESU-8), past U+10FFFF, truncated sequences, a raw NUL. */
const BAD_BYTES: readonly number[][] = [[0xff], [0x80], [0xc0, 0xaf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf], [0xf4, 0x90, 0x80, 0x80], [0xc3], [0xe2, 0x82], [0xfe, 0xff], [0x00], [0xf8, 0x88, 0x80, 0x80, 0x80]]

const ODD_CONTENT_TYPES: readonly string[] = [
  'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=xyz', 'application/json; charset=utf-16', 'application/json; charset=latin1',
  'APPLICATION/JSON', 'application/json;charset=UTF-8', 'application/jsonp', 'application/json-patch+json', 'application/merge-patch+json', 'application/vnd.api+json',
  'application/*', '*/*', 'application/json, text/plain', 'json', 'application/json; charset="utf-8"; boundary=x', 'application/json;', 'application/octet-stream',
  'text/json', 'application/xml', ' application/json', 'application/json\u0000', 'application/json; charset=utf-7', 'application/ld+json'
]

// Path segments: traversals, encodings, lengths, other organizations' ids, near-misses of Stytch's formats.
function hostileSegment (rng: Rng, world: FuzzWorld): string {
  return rng.pick([
    '..', '.', '...', '%2E%2E', '%2e%2e', '%2E', 'a%2F..', '..%2F..', '%2E%2E%2F%2E%2E', '..%5C..', 'a/../b', '%00', 'a%00b', '%ED%A0%80', '%FF', '%C0%AE%C0%AE',
    '%252E%252E', '%', '%%', '%E0%A4%A', '%20', ' ', '%C3%A9', 'é', '%F0%9F%98%80', 'x'.repeat(129), 'x'.repeat(199), 'x'.repeat(201), 'x'.repeat(5000),
    `member-test-${'x'.repeat(120)}`, 'member-test-..', 'member-test-a%2F..%2F..', `member-live-${rng.uuid()}`, 'session-test-..%2Fx', 'MEMBER-test-1', 'member-test-',
    `organization-test-${rng.uuid()}`, rng.uuid().toUpperCase(), `{${rng.uuid()}}`, '00000000-0000-0000-0000-000000000000', `${rng.uuid()}x`, rng.uuid().replaceAll('-', ''),
    'Infinity', '1e400', '-1', 'null', '__proto__', 'constructor', world.otherOrg.slug, world.otherOrg.id, world.adminMemberId, `session-test-${rng.uuid()}`
  ])
}

const HOSTILE_QUERY_VALUES: readonly string[] = [
  'Infinity', '-Infinity', '+Infinity', '1e400', '-1e400', 'NaN', '1e2', '0x10', '0b1', '0o7', '1.5', '-1', '0', '-0', '101', '100', '1', '9'.repeat(400), '', ' ', '%20',
  '%00', 'a%00b', '%ED%A0%80', '%FF', '%', '%%', '%E0%A4%A', 'true', 'null', '[]', '{}', '__proto__', '%2E%2E', '..', 'a'.repeat(600), 'é', '%C3%A9', '+', '1,2', '1;2',
  '%26limit%3D1', 'x'.repeat(8000)
]

function hostileIfMatch (rng: Rng): string | string[] {
  return rng.pick<string | string[]>([
    '', ' ', '*', 'W/"v1"', '"v0"', '"v-1"', '"v1.5"', '"v99999999999999"', '"v1", "v2"', 'v1', '"V1"', '"v١"', '"v1"\u0000', 'x'.repeat(9000), '"v1e3"', '"vInfinity"',
    '"v0x1"', '"v 1"', '"v01"', '""', '"', '"v1', 'v1"', ['"v1"', '"v2"'], ['"v1"', '"v1"'], '"v1"\r\nx-evil: 1', '"v2147483648"', '"v999999999"'
  ])
}

function hostileIdempotencyKey (rng: Rng): string | string[] {
  return rng.pick<string | string[]>(['', ' ', 'é', 'a b', 'x'.repeat(129), 'x'.repeat(9000), '\u0000', 'key\u0000', '\t', ['a', 'b'], ['same', 'same'], '😀', 'k\r\nx: y'])
}

/** Credentials a client could send that are not (exactly) a valid session: each must be a 401 (or, for a valid session sent oddly, the normal answer). */
function hostileCredentials (rng: Rng, world: FuzzWorld): { headers: Record<string, string | string[]>, label: string } {
  const jwt = world.admin.jwt
  const [header, payload, signature] = jwt.split('.') as [string, string, string]
  const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>
  const names = world.cookieNames
  const variants: Array<[string, Record<string, string | string[]>]> = [
    ['no credentials', {}],
    ['empty authorization', { authorization: '' }],
    ['scheme only', { authorization: 'Bearer' }],
    ['scheme and space', { authorization: 'Bearer ' }],
    ['basic', { authorization: 'Basic YWRtaW46YWRtaW4=' }],
    ['lower-case scheme (valid)', { authorization: `bearer ${jwt}` }],
    ['jwt + junk', { authorization: `Bearer ${jwt}x` }],
    ['truncated jwt', { authorization: `Bearer ${jwt.slice(0, -5)}` }],
    ['tampered payload', { authorization: `Bearer ${header}.${b64({ ...claims, sub: 'member-test-evil' })}.${signature}` }],
    ['alg none', { authorization: `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${payload}.` }],
    ['HS256 header', { authorization: `Bearer ${b64({ alg: 'HS256', typ: 'JWT', kid: 'x' })}.${payload}.${signature}` }],
    ['unknown kid', { authorization: `Bearer ${b64({ alg: 'RS256', typ: 'JWT', kid: `jwk-test-${rng.uuid()}` })}.${payload}.${signature}` }],
    ['a.b.c', { authorization: 'Bearer a.b.c' }],
    ['huge bearer', { authorization: `Bearer ${'x'.repeat(10_000)}` }],
    ['random session token', { authorization: `Bearer ${rng.string(URLSAFE, 44)}` }],
    ['short token', { authorization: `Bearer ${rng.string(URLSAFE, 12)}` }],
    ['two credentials in one header', { authorization: `Bearer ${jwt} ${jwt}` }],
    ['tab separator', { authorization: `Bearer\t${jwt}` }],
    ['two authorization headers', { authorization: [`Bearer ${jwt}`, `Bearer ${jwt}`] }],
    ['bearer beside another session\'s cookies', { authorization: `Bearer ${jwt}`, cookie: `${names.jwt}=${world.cookies[names.jwt] ?? ''}; ${names.session}=${world.cookies[names.session] ?? ''}` }],
    ['junk jwt cookie', { cookie: `${names.jwt}=junk` }],
    ['empty cookies', { cookie: `${names.jwt}=; ${names.session}=` }],
    ['cookie twice', { cookie: `${names.jwt}=${world.cookies[names.jwt] ?? ''}; ${names.jwt}=${world.cookies[names.jwt] ?? ''}` }],
    ['percent-encoded NUL cookie', { cookie: `${names.session}=%00${rng.string(URLSAFE, 43)}` }],
    ['huge cookie', { cookie: `${names.jwt}=${'x'.repeat(8000)}` }],
    ['cookie junk syntax', { cookie: ';;;==;=a;b' }],
    ['random token cookie', { cookie: `${names.session}=${rng.string(URLSAFE, 44)}` }],
    ['viewer jwt beside admin cookies', { authorization: `Bearer ${world.viewerJwt}`, cookie: `${names.jwt}=${world.cookies[names.jwt] ?? ''}` }]
  ]
  const [label, headers] = rng.pick(variants)
  return { headers, label: `credentials: ${label}` }
}

type Mutation = 'path' | 'query' | 'header' | 'body-field' | 'body-transport' | 'credentials' | 'extra'

function mutationsFor (operation: FuzzOperation): Array<[Mutation, number]> {
  const has = (where: string): boolean => operation.parameters.some((p) => p.in === where)
  const list: Array<[Mutation, number]> = [['extra', 1]]
  if (has('path')) list.push(['path', 3])
  if (has('query')) list.push(['query', 4])
  if (has('header')) list.push(['header', 3])
  if (operation.body !== undefined) list.push(['body-field', 6], ['body-transport', 4])
  else list.push(['body-transport', 1])
  if (operation.secured) list.push(['credentials', operation.parameters.length === 0 && operation.body === undefined ? 8 : 2])
  return list
}

const encode = (value: unknown): string => encodeURIComponent(String(value))

/** One input for `operation`: valid, or valid with one or two mutations. */
export function generateInput (operation: FuzzOperation, rng: Rng, world: FuzzWorld): FuzzInput {
  const g: Gen = { rng, world, operation, chosen: {} }
  const labels: string[] = []
  const mutationCount = rng.chance(0.25) ? 0 : rng.weighted([[1, 4], [2, 1]] as const)
  const mutations = new Set<Mutation>()
  const options = mutationsFor(operation)
  for (let i = 0; i < mutationCount; i++) mutations.add(rng.weighted(options))
  if (mutations.size === 0) labels.push('valid')

  // Path parameters: valid values, or one hostile segment.
  const pathParams = operation.parameters.filter((p) => p.in === 'path')
  let path = operation.path
  let pathMutated = false
  const mutatedParam = mutations.has('path') ? rng.pick(pathParams) : undefined
  for (const param of pathParams) {
    let value: string
    if (param === mutatedParam) {
      value = hostileSegment(rng, world)
      pathMutated = true
      labels.push(`path ${param.name}=${JSON.stringify(value.slice(0, 60))}`)
    } else {
      value = encode(validValue(param.schema, param.name, g))
    }
    path = path.replace(`{${param.name}}`, value)
  }

  // Query: valid pairs, then (mutated) a hostile value, a duplicate, an array, an unknown parameter or a missing required one.
  const queryParams = operation.parameters.filter((p) => p.in === 'query')
  const pairs: Array<[string, string]> = []
  for (const param of queryParams) {
    if (param.required !== true && !rng.chance(0.6)) continue
    const value = validValue(param.schema, param.name, g)
    // An array parameter is the name repeated (type=a&type=b), as the API documents it (form, explode).
    if (Array.isArray(value)) for (const item of value) pairs.push([param.name, encode(item)])
    else pairs.push([param.name, encode(value)])
  }
  if (mutations.has('query') && queryParams.length > 0) {
    const param = rng.pick(queryParams)
    const kind = rng.pick(['value', 'value', 'value', 'duplicate', 'array', 'unknown', 'missing', 'long'] as const)
    const value = rng.pick(HOSTILE_QUERY_VALUES)
    const without = pairs.filter(([name]) => name !== param.name)
    if (kind === 'value') pairs.splice(0, pairs.length, ...without, [param.name, value])
    else if (kind === 'duplicate') pairs.push([param.name, value], [param.name, encode(validValue(param.schema, param.name, g))])
    else if (kind === 'array') pairs.push([`${param.name}${rng.pick(['[]', '[0]', '[a]', '.x'])}`, value])
    else if (kind === 'unknown') pairs.push([rng.pick(['__proto__', 'constructor', 'foo', 'toString', 'hasOwnProperty', '%00', 'token', 'a'.repeat(300), '']), value])
    else if (kind === 'missing') pairs.splice(0, pairs.length, ...without)
    else pairs.push(['pad', 'x'.repeat(rng.pick([2000, 9000, 70_000]))])
    labels.push(`query ${kind} ${param.name}${kind === 'value' || kind === 'duplicate' ? `=${JSON.stringify(value.slice(0, 40))}` : ''}`)
  }
  const query = pairs.map(([k, v]) => (v === '' && rng.chance(0.3) ? k : `${k}=${v}`)).join('&')

  // Credentials.
  let auth: AuthMode = 'none'
  const headers: Record<string, string | string[]> = {}
  if (operation.secured) {
    if (mutations.has('credentials')) {
      const hostile = hostileCredentials(rng, world)
      Object.assign(headers, hostile.headers)
      labels.push(hostile.label)
      auth = 'hostile'
    } else {
      auth = rng.weighted([['bearer', 80], ['cookie', 12], ['token', 5], ['other-member', 3]] as const)
      if (auth === 'bearer') headers.authorization = `Bearer ${world.admin.jwt}`
      else if (auth === 'token') headers.authorization = `Bearer ${world.admin.token}`
      else if (auth === 'other-member') headers.authorization = `Bearer ${rng.chance(0.5) ? world.viewerJwt : world.otherOrgJwt}`
      else {
        headers.cookie = Object.entries(world.cookies).map(([k, v]) => `${k}=${v}`).join('; ')
        const origin = rng.weighted([[SPA_ORIGIN, 17], ['http://evil.test', 1], [undefined, 2]] as const)
        if (origin !== undefined) headers.origin = origin
      }
      if (auth !== 'bearer') labels.push(`auth ${auth}`)
    }
  }

  // Header parameters (If-Match, Idempotency-Key).
  for (const param of operation.parameters.filter((p) => p.in === 'header')) {
    if (mutations.has('header') && rng.chance(0.7)) {
      const value = param.name === 'if-match' ? hostileIfMatch(rng) : hostileIdempotencyKey(rng)
      headers[param.name] = value
      labels.push(`header ${param.name}=${JSON.stringify(value).slice(0, 60)}`)
    } else if (mutations.has('header') && rng.chance(0.5)) {
      labels.push(`header ${param.name} missing`)
    } else if (param.name === 'if-match' ? rng.chance(0.95) : rng.chance(0.5)) {
      const value = validValue(param.schema, param.name, g)
      headers[param.name] = String(value)
      g.chosen[param.name] = value
    }
  }

  // The body.
  let body: string | Buffer | undefined
  if (operation.body !== undefined) {
    let value: unknown = validValue(operation.body, '', g)
    let text: string | undefined
    if (mutations.has('body-field')) {
      const kind = rng.pick(['type', 'string', 'string', 'number', 'unknown', 'missing', 'root', 'deep', 'duplicate', 'long'] as const)
      const spots = positions(value)
      const spot = spots.length > 0 ? rng.pick(spots) : []
      switch (kind) {
        case 'type': value = setAt(value, spot, clone(rng.pick(HOSTILE_VALUES))); break
        case 'string': value = setAt(value, spot, rng.pick(HOSTILE_STRINGS)); break
        case 'number': value = setAt(value, spot, rng.pick(HOSTILE_NUMBERS)); break
        case 'unknown': {
          const objects = [[], ...spots].filter((p) => { const node = getAt(value, p); return node !== null && typeof node === 'object' && !Array.isArray(node) && !(node instanceof Raw) })
          value = setAt(value, [...rng.pick(objects), rng.pick(UNKNOWN_KEYS)], rng.chance(0.5) ? rng.pick(HOSTILE_VALUES) : { admin: true })
          break
        }
        case 'missing': value = spots.length === 0 || rng.chance(0.2) ? {} : deleteAt(value, rng.pick(spots.filter((p) => p.length === 1).concat([spot]))); break
        case 'root': value = rng.pick([null, [], 'text', 1, true, [value], new Raw('1e400'), new Raw('"\\u0000"'), deepArray(rng.int(1000, 30_000))]); break
        case 'deep': value = setAt(value, spot, rng.chance(0.5) ? deepArray(rng.int(100, 25_000)) : deepObject(rng.int(100, 9000))); break
        case 'duplicate': {
          const first = Object.keys(value as object)[0] ?? 'title'
          text = jsonText(value).replace(/^\{/, `{${JSON.stringify(first)}:${jsonText(rng.pick(HOSTILE_VALUES))},`)
          break
        }
        case 'long': value = setAt(value, spot, 'x'.repeat(rng.pick([129, 201, 513, 1025, 50_001, 70_000]))); break
      }
      labels.push(`body ${kind}${spot.length > 0 && kind !== 'root' && kind !== 'duplicate' ? ` at /${spot.join('/')}` : ''}`)
    }
    text ??= jsonText(value)
    body = text
    headers['content-type'] = 'application/json'
  }
  if (mutations.has('body-transport')) {
    const base = typeof body === 'string' ? body : '{"a":1}'
    const kind = rng.pick(['bytes', 'bytes', 'truncated', 'trailing', 'content-type', 'content-type', 'empty', 'utf16', 'bom', 'invalid-token', 'no-content-type'] as const)
    switch (kind) {
      case 'bytes': {
        // Inside a string literal when there is one (else anywhere).
        const quote = base.indexOf('"', base.indexOf(':'))
        const at = quote >= 0 && rng.chance(0.8) ? quote + 1 : rng.int(0, base.length)
        body = Buffer.concat([Buffer.from(base.slice(0, at)), Buffer.from(rng.pick(BAD_BYTES)), Buffer.from(base.slice(at))])
        headers['content-type'] = 'application/json'
        break
      }
      case 'truncated': body = base.slice(0, rng.int(0, Math.max(0, base.length - 1))); headers['content-type'] = 'application/json'; break
      case 'trailing': body = base + rng.pick(['x', '}', ']', ',', '\u0000', base, ' \n', '//', '\uFEFF']); headers['content-type'] = 'application/json'; break
      case 'content-type': headers['content-type'] = rng.pick(ODD_CONTENT_TYPES); body = base; break
      case 'empty': body = rng.pick(['', ' ', '\n']); headers['content-type'] = 'application/json'; break
      case 'utf16': body = Buffer.from(base, 'utf16le'); headers['content-type'] = rng.pick(['application/json; charset=utf-16', 'application/json']); break
      case 'bom': body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(base)]); headers['content-type'] = 'application/json'; break
      case 'invalid-token': body = rng.pick(INVALID_JSON_TOKENS); headers['content-type'] = 'application/json'; break
      case 'no-content-type': body = base; Reflect.deleteProperty(headers, 'content-type'); break
    }
    labels.push(`transport ${kind}${kind === 'content-type' ? ` ${JSON.stringify(headers['content-type'])}` : ''}`)
  }

  // Extras: headers no route reads, and methods' oddities.
  if (mutations.has('extra')) {
    const extra = rng.pick<[string, string | string[]]>([
      ['x-forwarded-for', '1.2.3.4, 5.6.7.8'], ['x-http-method-override', 'DELETE'], ['x-request-id', 'req-forged'], ['accept', 'text/html'], ['accept', 'application/xml'],
      ['accept-encoding', 'gzip, br, zstd, *;q=0'], ['content-length', '0'], ['transfer-encoding', 'chunked'], ['expect', '100-continue'], ['origin', 'null'], ['host', 'evil.test'],
      ['x-session-jwt', world.admin.jwt], ['idempotency-key', 'stray'], ['if-none-match', '*'], ['range', 'bytes=0-1'], ['x-stytch-member-session', world.admin.token]
    ])
    headers[extra[0]] = extra[1]
    labels.push(`extra header ${extra[0]}`)
  }

  return { operationId: operation.operationId, method: operation.method, path, query, headers, ...(body === undefined ? {} : { body }), auth, pathMutated, labels, chosen: g.chosen }
}

// ---------------------------------------------------------------------------------------------
// Sending and checking.

export interface FuzzResponse { statusCode: number, headers: Record<string, unknown>, body: string }

/** Whether a path must be sent as written (inject normalizes dot-segments, as fetch does). */
const needsRawPath = (path: string): boolean => /(^|\/)(\.|%2e){1,2}(\/|$|%2f|%5c)/i.test(path) || /(^|\/)\.{1,3}(\/|$)/.test(path) || /%2e/i.test(path)

async function sendRaw (port: number, input: FuzzInput): Promise<FuzzResponse> {
  return await new Promise((resolve, reject) => {
    const url = input.query === '' ? input.path : `${input.path}?${input.query}`
    const body = input.body
    const headers: Record<string, string | string[]> = { ...input.headers, connection: 'close' }
    if (body !== undefined && headers['content-length'] === undefined) headers['content-length'] = String(Buffer.byteLength(body))
    const req = httpRequest({ host: '127.0.0.1', port, method: input.method, path: url, headers, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => { resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }) })
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  })
}

/** Sends one input: through app.inject, or over a socket when the path has dot-segments inject would resolve. */
export async function send (world: FuzzWorld, input: FuzzInput): Promise<FuzzResponse & { transport: 'inject' | 'socket' }> {
  if (world.port !== undefined && needsRawPath(input.path)) {
    try {
      return { ...await sendRaw(world.port, input), transport: 'socket' }
    } catch (err) {
      const code = (err as { code?: string }).code ?? String(err)
      // node:http refuses some header values and paths inject passes on (a NUL byte, a raw space): those go through inject.
      // Anything else is the server closing the connection without an answer: status 0.
      if (!['ERR_INVALID_CHAR', 'ERR_INVALID_HTTP_TOKEN', 'ERR_HTTP_INVALID_HEADER_VALUE', 'ERR_UNESCAPED_CHARACTERS'].includes(code)) {
        return { statusCode: 0, headers: {}, body: code, transport: 'socket' }
      }
    }
  }
  const response = await world.app.inject({
    method: input.method as 'GET',
    url: input.query === '' ? input.path : `${input.path}?${input.query}`,
    headers: input.headers,
    ...(input.body === undefined ? {} : { payload: input.body })
  })
  return { statusCode: response.statusCode, headers: response.headers, body: response.body, transport: 'inject' }
}

/** 503s the API gives on purpose (an outage it reports), each with Retry-After. */
export const DELIBERATE_503_CODES: ReadonlySet<string> = new Set(['identity_provider_unavailable', 'identity_provider_busy', 'database_unavailable', 'not_ready'])

const ERROR_KEYS = ['code', 'error', 'message', 'requestId', 'statusCode']
const STACK_TRACE = /\n\s+at |\bat [\w.<>]+ \(|[\w/-]+\.(ts|js|mjs):\d+:\d+|node:internal|"stack"/

/** What is wrong with an error answer's body ('' when it is the API's error shape, without a stack trace). */
export function errorShapeProblem (response: FuzzResponse): string {
  let body: unknown
  try {
    body = JSON.parse(response.body)
  } catch {
    return `not JSON: ${response.body.slice(0, 120)}`
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return 'not an object'
  const record = body as Record<string, unknown>
  const keys = Object.keys(record).sort()
  if (keys.join(',') !== ERROR_KEYS.join(',')) return `fields ${keys.join(',')}`
  if (record.statusCode !== response.statusCode) return `statusCode ${String(record.statusCode)} ≠ ${response.statusCode}`
  for (const key of ['code', 'error', 'message', 'requestId']) if (typeof record[key] !== 'string' || record[key] === '') return `${key} is not a non-empty string`
  if (STACK_TRACE.test(response.body)) return 'looks like a stack trace'
  if (!String(response.headers['content-type'] ?? '').startsWith('application/json')) return `content-type ${String(response.headers['content-type'])}`
  return ''
}

export interface Example { status: number, code: string, problem?: string, input: string }

export interface OperationResult {
  operationId: string
  method: string
  path: string
  inputs: number
  classes: Record<'2xx' | '3xx' | '4xx' | '5xx', number>
  statuses: Record<number, number>
  codes: Record<string, number>
  deliberate503: number
  /** A few of the deliberate 503s (what made the app report an outage without one). */
  deliberate503Examples: Example[]
  /** 5xx other than a deliberate 503. */
  serverErrors: Example[]
  shapeErrors: Example[]
  /** 401s to a request with credentials the fuzz knew valid. */
  falseUnauthorized: Example[]
  /** Answers not documented in openapi.yaml (status, body schema, documented headers). */
  contract: Example[]
  socket: number
  ms: number
  /** The slowest input and how long its answer took. */
  slowest: { ms: number, status: number, input: string }
}

const MAX_EXAMPLES = 5

/** A short, printable description of an input (what was sent, with credentials elided). */
export function describeInput (input: FuzzInput): string {
  const elide = (text: string): string => text.replace(/eyJ[\w-]+\.[\w-]+\.[\w-]*/g, '<jwt>').replace(/(?<![\w-])[A-Za-z0-9_-]{44}(?![\w-])/g, '<token>')
  const url = input.query === '' ? input.path : `${input.path}?${input.query}`
  const headers = Object.entries(input.headers).filter(([k]) => !['authorization', 'cookie'].includes(k)).map(([k, v]) => `${k}: ${JSON.stringify(v).slice(0, 80)}`)
  const body = input.body === undefined ? '' : Buffer.isBuffer(input.body) ? ` body(bytes)=${JSON.stringify(input.body.toString('latin1').slice(0, 160))}` : ` body=${JSON.stringify(input.body.slice(0, 160))}`
  return elide(`${input.method} ${url.slice(0, 200)} [${input.auth}] ${headers.join('; ')}${body} — ${input.labels.join(', ')}`)
}

function emptyResult (operation: FuzzOperation): OperationResult {
  return {
    operationId: operation.operationId,
    method: operation.method,
    path: operation.path,
    inputs: 0,
    classes: { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 },
    statuses: {},
    codes: {},
    deliberate503: 0,
    deliberate503Examples: [],
    serverErrors: [],
    shapeErrors: [],
    falseUnauthorized: [],
    contract: [],
    socket: 0,
    ms: 0,
    slowest: { ms: 0, status: 0, input: '' }
  }
}

/** Counts, and up to MAX_EXAMPLES examples, of a finding. */
function note (list: Example[], example: Example, counts: Map<Example[], number>): void {
  counts.set(list, (counts.get(list) ?? 0) + 1)
  if (list.length < MAX_EXAMPLES) list.push(example)
}

export interface FuzzOptions {
  seed: number
  /** Inputs per operation. */
  count: number
  /** Only these operationIds (default: all). */
  only?: string[]
  /** Called after each operation. */
  onOperation?: (result: OperationResult) => void
}

export interface FuzzReport {
  seed: number
  results: OperationResult[]
  skipped: string[]
  /** Per result: how many of each finding (the result lists at most MAX_EXAMPLES). */
  totals: Map<string, { serverErrors: number, shapeErrors: number, falseUnauthorized: number, contract: number }>
  relogins: number
}

export async function runFuzz (world: FuzzWorld, options: FuzzOptions): Promise<FuzzReport> {
  const uncovered = uncoveredPatterns()
  if (uncovered.length > 0) throw new Error(`openapi.yaml has patterns without a generator in scripts/lib/fuzz-inputs.ts: ${uncovered.join(', ')}`)
  const { operations, skipped } = fuzzOperations()
  const selected = options.only === undefined ? operations : operations.filter((o) => options.only?.includes(o.operationId))
  const validator = openApiValidator()
  const results: OperationResult[] = []
  const totals: FuzzReport['totals'] = new Map()
  for (const operation of selected) {
    const rng = new Rng(operationSeed(options.seed, operation.operationId))
    const result = emptyResult(operation)
    const counts = new Map<Example[], number>()
    const started = Date.now()
    for (let i = 0; i < options.count; i++) {
      await world.prepare(operation)
      const input = generateInput(operation, rng, world)
      const sentAt = performance.now()
      const response = await send(world, input)
      const took = performance.now() - sentAt
      if (took > result.slowest.ms) result.slowest = { ms: took, status: response.statusCode, input: describeInput(input) }
      if (response.transport === 'socket') result.socket++
      result.inputs++
      const status = response.statusCode
      const klass = `${Math.floor(status / 100)}xx` as keyof OperationResult['classes']
      if (klass in result.classes) result.classes[klass]++
      result.statuses[status] = (result.statuses[status] ?? 0) + 1
      let code = ''
      if (status >= 400) {
        try { code = String((JSON.parse(response.body) as { code?: unknown }).code ?? '') } catch {}
        result.codes[code] = (result.codes[code] ?? 0) + 1
        // The browser landing pages of emailed links answer errors as documented HTML pages
        // (text/html in openapi.yaml, checked by the contract check), not in the JSON shape.
        const html = String(response.headers['content-type'] ?? '').startsWith('text/html')
        const problem = html ? '' : errorShapeProblem(response)
        if (problem !== '') note(result.shapeErrors, { status, code, problem, input: describeInput(input) }, counts)
      }
      if (status === 0) note(result.serverErrors, { status, code: `no answer (${response.body})`, input: describeInput(input) }, counts)
      if (status >= 500) {
        if (status === 503 && DELIBERATE_503_CODES.has(code) && response.headers['retry-after'] !== undefined) {
          result.deliberate503++
          if (result.deliberate503Examples.length < 3) result.deliberate503Examples.push({ status, code, input: describeInput(input) })
        } else note(result.serverErrors, { status, code, input: describeInput(input) }, counts)
      }
      if (status === 401 && operation.secured && VALID_AUTH.has(input.auth)) {
        note(result.falseUnauthorized, { status, code, input: describeInput(input) }, counts)
        // Whatever happened, the next inputs need a live session again.
        world.sessionsInDoubt = true
      }
      if (!input.pathMutated && code !== 'route_not_found') {
        const problems = validator.validateResponse(operation.method, operation.route, status, response.headers as Record<string, string>, response.body)
        if (problems.length > 0) note(result.contract, { status, code, problem: problems.join(' | ').slice(0, 400), input: describeInput(input) }, counts)
      }
      world.observe(input, status, response.body)
    }
    result.ms = Date.now() - started
    totals.set(operation.operationId, {
      serverErrors: counts.get(result.serverErrors) ?? 0,
      shapeErrors: counts.get(result.shapeErrors) ?? 0,
      falseUnauthorized: counts.get(result.falseUnauthorized) ?? 0,
      contract: counts.get(result.contract) ?? 0
    })
    results.push(result)
    options.onOperation?.(result)
  }
  return { seed: options.seed, results, skipped, totals, relogins: world.relogins }
}

/** Whether the run met its goals: no 5xx but deliberate 503s, every error in the API's shape, no false 401, every answer documented. */
export function fuzzFailures (report: FuzzReport): string[] {
  const failures: string[] = []
  for (const [operationId, t] of report.totals) {
    if (t.serverErrors > 0) failures.push(`${operationId}: ${t.serverErrors} 5xx`)
    if (t.shapeErrors > 0) failures.push(`${operationId}: ${t.shapeErrors} error bodies not in the API's shape`)
    if (t.falseUnauthorized > 0) failures.push(`${operationId}: ${t.falseUnauthorized} 401s with valid credentials`)
    if (t.contract > 0) failures.push(`${operationId}: ${t.contract} answers not as openapi.yaml documents them`)
  }
  return failures
}

const pad = (value: string | number, width: number, right = false): string => (right ? String(value).padStart(width) : String(value).padEnd(width))

/** The run as a table: one row per operation, then the status breakdown and every finding's examples. */
export function formatFuzzReport (report: FuzzReport): string {
  const lines: string[] = []
  const header = `${pad('operation', 22)} ${pad('method path', 62)} ${pad('inputs', 6, true)} ${pad('2xx', 5, true)} ${pad('3xx', 4, true)} ${pad('4xx', 5, true)} ${pad('5xx', 4, true)} ${pad('503†', 4, true)} ${pad('5xx≠503', 7, true)} ${pad('shape', 5, true)} ${pad('false401', 8, true)} ${pad('spec', 4, true)} ${pad('socket', 6, true)} ${pad('s', 5, true)}`
  lines.push(header, '-'.repeat(header.length))
  const sum = { inputs: 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0, d503: 0, server: 0, shape: 0, f401: 0, spec: 0, socket: 0 }
  for (const r of report.results) {
    const t = report.totals.get(r.operationId) ?? { serverErrors: 0, shapeErrors: 0, falseUnauthorized: 0, contract: 0 }
    lines.push(`${pad(r.operationId, 22)} ${pad(`${r.method} ${r.path}`, 62)} ${pad(r.inputs, 6, true)} ${pad(r.classes['2xx'], 5, true)} ${pad(r.classes['3xx'], 4, true)} ${pad(r.classes['4xx'], 5, true)} ${pad(r.classes['5xx'], 4, true)} ${pad(r.deliberate503, 4, true)} ${pad(t.serverErrors, 7, true)} ${pad(t.shapeErrors, 5, true)} ${pad(t.falseUnauthorized, 8, true)} ${pad(t.contract, 4, true)} ${pad(r.socket, 6, true)} ${pad((r.ms / 1000).toFixed(1), 5, true)}`)
    sum.inputs += r.inputs; sum['2xx'] += r.classes['2xx']; sum['3xx'] += r.classes['3xx']; sum['4xx'] += r.classes['4xx']; sum['5xx'] += r.classes['5xx']
    sum.d503 += r.deliberate503; sum.server += t.serverErrors; sum.shape += t.shapeErrors; sum.f401 += t.falseUnauthorized; sum.spec += t.contract; sum.socket += r.socket
  }
  lines.push('-'.repeat(header.length))
  lines.push(`${pad('total', 22)} ${pad(`${report.results.length} operations`, 62)} ${pad(sum.inputs, 6, true)} ${pad(sum['2xx'], 5, true)} ${pad(sum['3xx'], 4, true)} ${pad(sum['4xx'], 5, true)} ${pad(sum['5xx'], 4, true)} ${pad(sum.d503, 4, true)} ${pad(sum.server, 7, true)} ${pad(sum.shape, 5, true)} ${pad(sum.f401, 8, true)} ${pad(sum.spec, 4, true)} ${pad(sum.socket, 6, true)}`)
  lines.push('† deliberate 503 (identity_provider_*, database_unavailable, not_ready, with Retry-After); socket: inputs sent over a real socket (dot-segment paths), the rest through app.inject')
  if (report.skipped.length > 0) lines.push(`not fuzzed (no input): ${report.skipped.join(', ')}`)
  lines.push('', 'statuses and error codes per operation:')
  for (const r of report.results) {
    const statuses = Object.entries(r.statuses).sort(([a], [b]) => Number(a) - Number(b)).map(([s, n]) => `${s}×${n}`).join(' ')
    const codes = Object.entries(r.codes).sort(([, a], [, b]) => b - a).slice(0, 8).map(([c, n]) => `${c}×${n}`).join(' ')
    lines.push(`  ${pad(r.operationId, 22)} ${statuses}`, `  ${pad('', 22)} ${codes}`)
  }
  lines.push('', 'slowest input per operation:')
  for (const r of report.results) lines.push(`  ${pad(r.operationId, 22)} ${r.slowest.ms.toFixed(0).padStart(6)} ms → ${r.slowest.status}  ${r.slowest.input.slice(0, 160)}`)
  for (const [title, pick] of [['deliberate 503s', (r: OperationResult) => r.deliberate503Examples], ['5xx (other than deliberate 503s)', (r: OperationResult) => r.serverErrors], ['error bodies not in the API shape', (r: OperationResult) => r.shapeErrors], ['401 with valid credentials', (r: OperationResult) => r.falseUnauthorized], ['answers not documented in openapi.yaml', (r: OperationResult) => r.contract]] as const) {
    const examples = report.results.flatMap((r) => pick(r).map((e) => ({ ...e, operationId: r.operationId })))
    if (examples.length === 0) continue
    lines.push('', `${title}, examples:`)
    for (const e of examples) lines.push(`  ${e.operationId}: ${e.status} ${e.code}${e.problem === undefined ? '' : ` (${e.problem})`}`, `    ${e.input}`)
  }
  return lines.join('\n')
}

/** The port an app listens on (after app.listen). */
export const portOf = (app: FastifyInstance): number => (app.server.address() as AddressInfo).port
