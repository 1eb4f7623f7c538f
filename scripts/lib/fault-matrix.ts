// The fault matrix (issue 14): every fault the embedded Stytch emulator can inject (POST
// /emulator/faults: latency beyond STYTCH_TIMEOUT_MS, connections reset or refused, HTTP 500/429 on
// every call, malformed bodies), a signing-key rotation right after a junk kid, and the app's own
// database closed — each against every route family, with valid sessions and with revoked ones.
// Per cell: 5xx other than a deliberate 503 (goal 0), false 401s — a valid session or unused
// magic link answered 401 (goal 0) — and fail-open — a revoked session (or a used link) answered
// 2xx/3xx (goal 0). Shared by scripts/fault-matrix.ts and test/fuzz/fault-matrix.test.ts.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import type { RunningEmulator } from '../../src/emulator/index.js'
import { DELIBERATE_503_CODES, errorShapeProblem } from './fuzz-inputs.js'
import {
  emulatorControl, inviteMember, loginForCookies, loginForTokens, loginStale, logout, magicLinkToken, SPA_ORIGIN, startHarness, switchableDatabase,
  type Harness, type SwitchableDatabase
} from './harness.js'

/** The app's Stytch timeout in the matrix, and the emulator latency that exceeds it. */
export const MATRIX_STYTCH_TIMEOUT_MS = 400
const LATENCY_MS = 1200
const JWKS_ENDPOINT = 'GET /v1/b2b/sessions/jwks/:project_id'

export interface MatrixEnv {
  app: FastifyInstance
  emulator: RunningEmulator
  database: SwitchableDatabase
  harness: Harness
  counter: number
}

export interface Fault {
  name: string
  description: string
  apply: (env: MatrixEnv) => Promise<void>
  clear: (env: MatrixEnv) => Promise<void>
  /**
   * Applied anew before each family, whose sessions are prepared and probed right after (key
   * rotation: the new key must sign them, and the probes must come within the JWKS refetch floor).
   */
  perFamily?: boolean
}

const stytchFault = (name: string, description: string, fault: Record<string, unknown>, settleMs = 0): Fault => ({
  name,
  description,
  apply: async (env) => { await emulatorControl(env.emulator, 'POST', '/emulator/faults', fault) },
  clear: async (env) => {
    await emulatorControl(env.emulator, 'DELETE', '/emulator/faults')
    // Calls the emulator was still delaying land before the next cell is prepared.
    if (settleMs > 0) await new Promise((resolve) => setTimeout(resolve, settleMs))
  }
})

/** A JWT naming a key nobody publishes: the junk that, before issue 14's fix, blinded the app to a rotation that followed. */
function junkKidJwt (jwt: string): string {
  const [, payload, signature] = jwt.split('.') as [string, string, string]
  const header = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: `jwk-test-junk-${Date.now()}` })).toString('base64url')
  return `${header}.${payload}.${signature}`
}

export const FAULTS: readonly Fault[] = [
  { name: 'none', description: 'no fault (baseline: every valid probe must succeed)', apply: async () => {}, clear: async () => {} },
  stytchFault('latency', `every Stytch call delayed ${LATENCY_MS} ms (STYTCH_TIMEOUT_MS ${MATRIX_STYTCH_TIMEOUT_MS})`, { latency_ms: LATENCY_MS }, LATENCY_MS + 200),
  stytchFault('reset', 'Stytch reads the request, then drops the connection (down: reset)', { down: 'reset' }),
  stytchFault('refuse', 'Stytch resets every connection at once (down: refuse)', { down: 'refuse' }),
  stytchFault('http-500', 'every Stytch call answers 500 (error_rate 1)', { error_rate: 1, error_status: 500 }),
  stytchFault('http-429', 'every Stytch call answers 429 (error_rate 1)', { error_rate: 1, error_status: 429 }),
  stytchFault('malformed', 'every Stytch call answers 200 with a non-JSON body', { malformed: true }),
  {
    name: 'key-rotation',
    description: 'a JWT with a junk kid, then Stytch rotates its signing key (sessions minted after)',
    apply: async (env) => {
      const { session_jwt: jwt } = await loginForTokens(env.app, env.emulator, 'admin@acme.test')
      await env.app.inject({ url: '/v1/me', headers: { authorization: `Bearer ${junkKidJwt(jwt)}` } })
      await emulatorControl(env.emulator, 'POST', '/emulator/keys/rotate')
    },
    clear: async () => {},
    perFamily: true
  },
  {
    name: 'rotation+jwks',
    description: 'a junk kid, a key rotation, and Stytch\'s key set unreachable (the new key cannot be fetched)',
    apply: async (env) => {
      const { session_jwt: jwt } = await loginForTokens(env.app, env.emulator, 'admin@acme.test')
      await env.app.inject({ url: '/v1/me', headers: { authorization: `Bearer ${junkKidJwt(jwt)}` } })
      await emulatorControl(env.emulator, 'POST', '/emulator/keys/rotate')
      await emulatorControl(env.emulator, 'POST', '/emulator/faults', { endpoint: JWKS_ENDPOINT, down: 'reset' })
    },
    clear: async (env) => { await emulatorControl(env.emulator, 'DELETE', '/emulator/faults') },
    perFamily: true
  },
  {
    name: 'database-down',
    description: 'the app\'s database closed under it (every query fails), then a fresh one',
    apply: async (env) => { await env.database.takeDown() },
    clear: async (env) => { await env.database.bringBack() }
  }
]

export type ProbeKind = 'valid' | 'revoked'
export interface Probe { kind: ProbeKind, name: string, send: () => Promise<LightMyRequestResponse> }

export interface Family {
  name: string
  description: string
  /** Sessions, documents, members and tokens the probes need; the probes themselves. */
  prepare: (env: MatrixEnv) => Promise<Probe[]>
}

const bearer = (credential: string): Record<string, string> => ({ authorization: `Bearer ${credential}` })
const unique = (env: MatrixEnv, prefix: string): string => `${prefix}-${Date.now().toString(36)}-${++env.counter}`
const cookieHeader = (cookies: Record<string, string>): string => Object.entries(cookies).map(([k, v]) => `${k}=${v}`).join('; ')

/**
 * A setup step, retried while it answers 503: right after a key rotation, a JWT signed by the new key
 * that arrives within the JWKS refetch floor is a 503 (not checkable yet, never a 401) once the
 * per-second budget of Stytch checks is spent. Setup is not what the cell measures.
 */
async function setup<T> (what: string, step: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await step()
    } catch (err) {
      if (attempt >= 20 || !/ 503 /.test((err as Error).message)) throw new Error(`${what}: ${(err as Error).message}`)
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  }
}

/** A logged-in admin of acme (bearer tokens) and one whose session was revoked through the API (logout). */
async function adminAndRevoked (env: MatrixEnv, email = 'admin@acme.test'): Promise<{ valid: Awaited<ReturnType<typeof loginForTokens>>, revoked: Awaited<ReturnType<typeof loginForTokens>> }> {
  const revoked = await loginForTokens(env.app, env.emulator, email)
  // Logged out with its session token: no JWT check, so no wait right after a key rotation.
  await setup('logout', async () => { await logout(env.app, revoked.session_token) })
  // The valid session last: after a key rotation, its probes run as soon as possible after the new key signed it.
  const valid = await loginForTokens(env.app, env.emulator, email)
  return { valid, revoked }
}

async function createDocument (env: MatrixEnv, jwt: string): Promise<string> {
  return await setup('createDocument', async () => {
    const response = await env.app.inject({ method: 'POST', url: '/v1/organizations/acme/documents', headers: bearer(jwt), payload: { title: unique(env, 'matrix'), body: 'x' } })
    if (response.statusCode !== 201) throw new Error(`failed: ${response.statusCode} ${response.body}`)
    return response.json<{ id: string }>().id
  })
}

export const FAMILIES: readonly Family[] = [
  {
    name: 'getMe-jwt',
    description: 'GET /v1/me, bearer session JWT (fast path, no Stytch call)',
    prepare: async (env) => {
      const { valid, revoked } = await adminAndRevoked(env)
      const me = (jwt: string) => async () => await env.app.inject({ url: '/v1/me', headers: bearer(jwt) })
      return [
        { kind: 'valid', name: 'getMe', send: me(valid.session_jwt) },
        { kind: 'valid', name: 'getMe again', send: me(valid.session_jwt) },
        { kind: 'revoked', name: 'getMe', send: me(revoked.session_jwt) }
      ]
    }
  },
  {
    name: 'getMe-slow',
    description: 'GET /v1/me, bearer session token, and cookies with a stale JWT (slow path: Stytch)',
    prepare: async (env) => {
      const { valid, revoked } = await adminAndRevoked(env)
      const stale = await loginStale(env.app, env.emulator, 'admin@acme.test', 'cookies')
      const staleRevoked = await loginStale(env.app, env.emulator, 'admin@acme.test', 'cookies')
      await setup('cookie logout', async () => {
        const out = await env.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: { cookie: cookieHeader(staleRevoked.cookies), origin: SPA_ORIGIN } })
        if (out.statusCode !== 204) throw new Error(`failed: ${out.statusCode} ${out.body}`)
      })
      const viaToken = (token: string) => async () => await env.app.inject({ url: '/v1/me', headers: bearer(token) })
      const viaCookies = (cookies: Record<string, string>) => async () => await env.app.inject({ url: '/v1/me', headers: { cookie: cookieHeader(cookies) } })
      return [
        { kind: 'valid', name: 'getMe (session token)', send: viaToken(valid.session_token) },
        { kind: 'valid', name: 'getMe (stale JWT cookie + token cookie)', send: viaCookies(stale.cookies) },
        { kind: 'revoked', name: 'getMe (session token)', send: viaToken(revoked.session_token) },
        { kind: 'revoked', name: 'getMe (stale cookies)', send: viaCookies(staleRevoked.cookies) }
      ]
    }
  },
  {
    name: 'refresh',
    description: 'POST /v1/auth/session/refresh with a session token',
    prepare: async (env) => {
      const { valid, revoked } = await adminAndRevoked(env)
      const refresh = (token: string) => async () => await env.app.inject({ method: 'POST', url: '/v1/auth/session/refresh', payload: { session_token: token } })
      return [
        { kind: 'valid', name: 'refreshSession', send: refresh(valid.session_token) },
        { kind: 'revoked', name: 'refreshSession', send: refresh(revoked.session_token) }
      ]
    }
  },
  {
    name: 'login',
    description: 'sendLoginMagicLink, authenticateMagicLink (unused link: valid; used link: "revoked"), magicLinkCallback',
    prepare: async (env) => {
      const fresh = await magicLinkToken(env.app, env.emulator, 'admin@acme.test')
      const freshForCallback = await magicLinkToken(env.app, env.emulator, 'admin@acme.test')
      const used = await magicLinkToken(env.app, env.emulator, 'admin@acme.test')
      const first = await env.app.inject({ method: 'POST', url: '/v1/auth/magic-links/authenticate', payload: { token: used, delivery: 'body' } })
      if (first.statusCode !== 200) throw new Error(`authenticate failed: ${first.statusCode} ${first.body}`)
      const authenticate = (token: string) => async () => await env.app.inject({ method: 'POST', url: '/v1/auth/magic-links/authenticate', payload: { token, delivery: 'body' } })
      return [
        { kind: 'valid', name: 'sendLoginMagicLink', send: async () => await env.app.inject({ method: 'POST', url: '/v1/auth/magic-links/send', payload: { email_address: 'admin@acme.test', organization: 'acme' } }) },
        { kind: 'valid', name: 'authenticateMagicLink (unused link)', send: authenticate(fresh) },
        { kind: 'valid', name: 'magicLinkCallback (unused link)', send: async () => await env.app.inject({ url: `/v1/auth/magic-links/callback?token=${freshForCallback}` }) },
        { kind: 'revoked', name: 'authenticateMagicLink (used link)', send: authenticate(used) },
        { kind: 'revoked', name: 'magicLinkCallback (used link)', send: async () => await env.app.inject({ url: `/v1/auth/magic-links/callback?token=${used}` }) }
      ]
    }
  },
  {
    name: 'members',
    description: 'inviteMember, updateMemberRoles, revokeMemberSessions, removeMember (sensitive: Stytch confirms the session)',
    prepare: async (env) => {
      const { valid, revoked } = await adminAndRevoked(env)
      // A session revoked at Stytch only (its dashboard): not on the API's revocation list, so its JWT passes the
      // fast path; sensitive routes must still refuse it.
      const dashboardRevoked = await loginForTokens(env.app, env.emulator, 'admin@acme.test')
      await env.app.stytch.client.sessions.revoke({ member_session_id: dashboardRevoked.session.member_session_id })
      const victims = await Promise.all([1, 2, 3, 4].map(async () => await setup('inviteMember', async () => await inviteMember(env.app, valid.session_jwt, 'acme', `${unique(env, 'victim')}@acme.test`))))
      const [rolesVictim, removeVictim, removeVictimRevoked, removeVictimDashboard] = victims as [string, string, string, string]
      const viewer = await loginForTokens(env.app, env.emulator, 'viewer@acme.test')
      const viewerId = viewer.member.member_id
      const probes = (kind: ProbeKind, jwt: string, removeTarget: string, label: string): Probe[] => [
        { kind, name: `inviteMember${label}`, send: async () => await env.app.inject({ method: 'POST', url: '/v1/organizations/acme/members', headers: bearer(jwt), payload: { email_address: `${unique(env, 'invitee')}@acme.test` } }) },
        { kind, name: `updateMemberRoles${label}`, send: async () => await env.app.inject({ method: 'PUT', url: `/v1/organizations/acme/members/${rolesVictim}/roles`, headers: bearer(jwt), payload: { roles: ['editor'] } }) },
        { kind, name: `revokeMemberSessions${label}`, send: async () => await env.app.inject({ method: 'POST', url: `/v1/organizations/acme/members/${viewerId}/sessions/revoke`, headers: bearer(jwt) }) },
        { kind, name: `removeMember${label}`, send: async () => await env.app.inject({ method: 'DELETE', url: `/v1/organizations/acme/members/${removeTarget}`, headers: bearer(jwt) }) }
      ]
      return [
        ...probes('valid', valid.session_jwt, removeVictim, ''),
        ...probes('revoked', revoked.session_jwt, removeVictimRevoked, ' (logged out)'),
        ...probes('revoked', dashboardRevoked.session_jwt, removeVictimDashboard, ' (revoked at Stytch only)')
      ]
    }
  },
  {
    name: 'documents',
    description: 'listDocuments, createDocument, getDocument, updateDocument, deleteDocument (bearer JWT; the database)',
    prepare: async (env) => {
      const { valid, revoked } = await adminAndRevoked(env)
      const [doc, doomed, docRevoked] = [await createDocument(env, valid.session_jwt), await createDocument(env, valid.session_jwt), await createDocument(env, valid.session_jwt)]
      const probes = (kind: ProbeKind, jwt: string, target: string, deleted: string): Probe[] => {
        const call = (method: string, path: string, extra: { payload?: object, headers?: Record<string, string> } = {}) => async () =>
          await env.app.inject({ method: method as 'GET', url: `/v1/organizations/acme/documents${path}`, headers: { ...bearer(jwt), ...extra.headers }, ...(extra.payload === undefined ? {} : { payload: extra.payload }) })
        return [
          { kind, name: 'listDocuments', send: call('GET', '') },
          { kind, name: 'createDocument', send: call('POST', '', { payload: { title: 'matrix' }, headers: { 'idempotency-key': unique(env, 'key') } }) },
          { kind, name: 'getDocument', send: call('GET', `/${target}`) },
          { kind, name: 'updateDocument', send: call('PATCH', `/${target}`, { payload: { body: 'edited' }, headers: { 'if-match': '"v1"' } }) },
          { kind, name: 'deleteDocument', send: call('DELETE', `/${deleted}`, { headers: { 'if-match': '"v1"' } }) }
        ]
      }
      return [...probes('valid', valid.session_jwt, doc, doomed), ...probes('revoked', revoked.session_jwt, docRevoked, docRevoked)]
    }
  },
  {
    name: 'sessions',
    description: 'listSessions, revokeSession, revokeAllSessions (keep_current), updateCurrentSession, logout — as the editor',
    prepare: async (env) => {
      const { valid, revoked } = await adminAndRevoked(env, 'editor@acme.test')
      const victim = await loginForTokens(env.app, env.emulator, 'editor@acme.test')
      const cookies = (await loginForCookies(env.app, env.emulator, 'editor@acme.test')).cookies
      const probes = (kind: ProbeKind, jwt: string): Probe[] => [
        { kind, name: 'listSessions', send: async () => await env.app.inject({ url: '/v1/me/sessions', headers: bearer(jwt) }) },
        { kind, name: 'updateCurrentSession', send: async () => await env.app.inject({ method: 'PATCH', url: '/v1/me/session', headers: bearer(jwt), payload: { custom_claims: { theme: 'dark' } } }) },
        { kind, name: 'revokeSession', send: async () => await env.app.inject({ method: 'DELETE', url: `/v1/me/sessions/${victim.session.member_session_id}`, headers: bearer(jwt) }) },
        { kind, name: 'revokeAllSessions (keep current)', send: async () => await env.app.inject({ method: 'POST', url: '/v1/me/sessions/revoke', headers: bearer(jwt), payload: { keep_current: true } }) }
      ]
      return [
        // The cookie session first: revokeAllSessions (keep current) ends it.
        { kind: 'valid', name: 'logout (cookies)', send: async () => await env.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: { cookie: cookieHeader(cookies), origin: SPA_ORIGIN } }) },
        ...probes('valid', valid.session_jwt),
        ...probes('revoked', revoked.session_jwt),
        { kind: 'revoked', name: 'logout', send: async () => await env.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: bearer(revoked.session_jwt) }) }
      ]
    }
  }
]

export interface CellResult {
  fault: string
  family: string
  probes: number
  /** 5xx other than a deliberate 503 with Retry-After. */
  serverErrors: number
  falseUnauthorized: number
  failOpen: number
  /** Error bodies not in the API's shape. */
  shapeErrors: number
  /** Valid probes answered 2xx/3xx, and 503. */
  validOk: number
  valid503: number
  validOther: number
  findings: string[]
}

function judge (cell: CellResult, probe: Probe, response: LightMyRequestResponse): void {
  const status = response.statusCode
  let code = ''
  if (status >= 400) {
    try { code = String(response.json<{ code?: unknown }>().code ?? '') } catch {}
    const problem = errorShapeProblem({ statusCode: status, headers: response.headers, body: response.body })
    if (problem !== '') {
      cell.shapeErrors++
      cell.findings.push(`${probe.name} [${probe.kind}]: ${status} error body: ${problem}`)
    }
  }
  const deliberate = status === 503 && DELIBERATE_503_CODES.has(code) && response.headers['retry-after'] !== undefined
  if (status >= 500 && !deliberate) {
    cell.serverErrors++
    cell.findings.push(`${probe.name} [${probe.kind}]: ${status} ${code}`)
  }
  if (probe.kind === 'valid') {
    if (status === 401) {
      cell.falseUnauthorized++
      cell.findings.push(`${probe.name}: a valid session answered 401 ${code}`)
    }
    if (status < 400) cell.validOk++
    else if (status === 503) cell.valid503++
    else {
      cell.validOther++
      if (status !== 401 && status < 500) cell.findings.push(`${probe.name}: a valid session answered ${status} ${code} (info)`)
    }
  } else if (status < 400) {
    cell.failOpen++
    cell.findings.push(`${probe.name}: a revoked session answered ${status}`)
  }
}

export interface MatrixOptions {
  faults?: readonly string[]
  families?: readonly string[]
  onCell?: (cell: CellResult) => void
}

/** Builds the app (STYTCH_TIMEOUT_MS 400, a database that can be taken away) and runs every fault × family cell. */
export async function runFaultMatrix (options: MatrixOptions = {}): Promise<CellResult[]> {
  const faults = FAULTS.filter((f) => options.faults === undefined || options.faults.includes(f.name))
  const families = FAMILIES.filter((f) => options.families === undefined || options.families.includes(f.name))
  const database = await switchableDatabase()
  const harness = await startHarness({ env: { STYTCH_TIMEOUT_MS: String(MATRIX_STYTCH_TIMEOUT_MS) }, database })
  const env: MatrixEnv = { app: harness.app, emulator: harness.emulator, database, harness, counter: 0 }
  const cells: CellResult[] = []
  try {
    // The RBAC policy is cached (served stale while refreshed): warm it, as any running instance has.
    const warm = await loginForTokens(env.app, env.emulator, 'admin@acme.test')
    await env.app.inject({ url: '/v1/organizations/acme/documents', headers: bearer(warm.session_jwt) })
    const probeAll = async (fault: Fault, family: Family, probes: Probe[]): Promise<void> => {
      const cell: CellResult = { fault: fault.name, family: family.name, probes: 0, serverErrors: 0, falseUnauthorized: 0, failOpen: 0, shapeErrors: 0, validOk: 0, valid503: 0, validOther: 0, findings: [] }
      for (const probe of probes) {
        cell.probes++
        judge(cell, probe, await probe.send())
      }
      cells.push(cell)
      options.onCell?.(cell)
    }
    for (const fault of faults) {
      if (fault.perFamily === true) {
        for (const family of families) {
          await fault.apply(env)
          try {
            await probeAll(fault, family, await family.prepare(env))
          } finally {
            await fault.clear(env)
          }
        }
        continue
      }
      // Sessions, documents and members are made while everything works; then the fault, then the probes.
      const prepared: Array<[Family, Probe[]]> = []
      for (const family of families) prepared.push([family, await family.prepare(env)])
      await fault.apply(env)
      try {
        for (const [family, probes] of prepared) await probeAll(fault, family, probes)
      } finally {
        await fault.clear(env)
      }
    }
  } finally {
    await harness.close()
    await database.closeAll()
  }
  return cells
}

export function matrixFailures (cells: readonly CellResult[]): string[] {
  return cells.filter((c) => c.serverErrors + c.falseUnauthorized + c.failOpen + c.shapeErrors > 0)
    .map((c) => `${c.fault} × ${c.family}: ${c.serverErrors} 5xx, ${c.falseUnauthorized} false 401, ${c.failOpen} fail-open, ${c.shapeErrors} bad error bodies — ${c.findings.filter((f) => !f.endsWith('(info)')).join('; ')}`)
}

/** Two matrices: the goals (5xx / false 401 / fail-open per cell), and what valid probes got (ok / 503 / other). */
export function formatMatrix (cells: readonly CellResult[]): string {
  const faults = [...new Set(cells.map((c) => c.fault))]
  const families = [...new Set(cells.map((c) => c.family))]
  const width = Math.max(...families.map((f) => f.length), 9) + 2
  const cellOf = (fault: string, family: string): CellResult | undefined => cells.find((c) => c.fault === fault && c.family === family)
  const table = (title: string, render: (c: CellResult) => string): string[] => {
    const header = `${'fault'.padEnd(14)}${families.map((f) => f.padStart(width)).join('')}`
    return [title, header, '-'.repeat(header.length), ...faults.map((fault) => `${fault.padEnd(14)}${families.map((family) => { const c = cellOf(fault, family); return (c === undefined ? '' : render(c)).padStart(width) }).join('')}`)]
  }
  const lines = [
    ...table('goals per cell — 5xx≠503 / false 401 / fail-open (goal 0/0/0):', (c) => `${c.serverErrors}/${c.falseUnauthorized}/${c.failOpen}`),
    '',
    ...table('valid probes — answered ok / 503 (deliberate, Retry-After) / other:', (c) => `${c.validOk}/${c.valid503}/${c.validOther}`),
    '',
    'faults:',
    ...FAULTS.filter((f) => faults.includes(f.name)).map((f) => `  ${f.name.padEnd(13)} ${f.description}`),
    'route families:',
    ...FAMILIES.filter((f) => families.includes(f.name)).map((f) => `  ${f.name.padEnd(13)} ${f.description}`)
  ]
  const total = cells.reduce((sum, c) => ({ probes: sum.probes + c.probes, s: sum.s + c.serverErrors, u: sum.u + c.falseUnauthorized, o: sum.o + c.failOpen, b: sum.b + c.shapeErrors }), { probes: 0, s: 0, u: 0, o: 0, b: 0 })
  lines.push('', `${cells.length} cells, ${total.probes} probes: ${total.s} 5xx other than deliberate 503s, ${total.u} false 401s, ${total.o} fail-open, ${total.b} error bodies not in the API shape`)
  const findings = cells.flatMap((c) => c.findings.map((f) => `  ${c.fault} × ${c.family}: ${f}`))
  if (findings.length > 0) lines.push('', 'findings:', ...findings)
  return lines.join('\n')
}
