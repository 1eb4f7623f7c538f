import t from 'tap'
import { formatFuzzReport, FuzzWorld, portOf, runFuzz, uncoveredPatterns, fuzzOperations } from '../../scripts/lib/fuzz-inputs.js'
import { buildApp, loginForCookies, loginForTokens } from '../helper.js'

/**
 * The CI version of `npm run fuzz` (scripts/fuzz.ts, issue 14): every operation of openapi.yaml that
 * takes input gets 60 generated inputs (the script sends ≥ 1,000), through the test helper's app, so
 * the contract recorder also validates every answer against openapi.yaml. Then the fuzz's findings,
 * each pinned by its own case.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 1414)
const COUNT = Number(process.env.FUZZ_COUNT ?? 60)

t.test(`fuzz: ${COUNT} inputs per operation (seed ${SEED}): no 5xx but deliberate 503s, one error shape, no false 401, all documented`, async (t) => {
  t.same(uncoveredPatterns(), [], 'every pattern in openapi.yaml has a generator')
  const { operations, skipped } = fuzzOperations()
  t.same(skipped.sort(), ['getIndex', 'getLiveness', 'getReadiness'], 'only the health probes and the index take no input')
  t.ok(operations.length >= 20, `${operations.length} operations take input`)

  const ctx = await buildApp(t, { env: { DISCOVERY_CREATE_ORGANIZATIONS: 'true' } })
  await ctx.app.listen({ host: '127.0.0.1', port: 0 })
  const world = await FuzzWorld.create(ctx.app, ctx.emulator, portOf(ctx.app))
  const report = await runFuzz(world, { seed: SEED, count: COUNT })
  t.comment(formatFuzzReport(report))
  for (const result of report.results) {
    const totals = report.totals.get(result.operationId)
    t.equal(result.inputs, COUNT, `${result.operationId}: ${COUNT} inputs`)
    t.equal(totals?.serverErrors, 0, `${result.operationId}: no 5xx but deliberate 503s`, { examples: result.serverErrors })
    t.equal(totals?.shapeErrors, 0, `${result.operationId}: every error body is { statusCode, code, error, message, requestId }, no stack`, { examples: result.shapeErrors })
    t.equal(totals?.falseUnauthorized, 0, `${result.operationId}: no 401 with valid credentials`, { examples: result.falseUnauthorized })
    t.equal(totals?.contract, 0, `${result.operationId}: every answer as openapi.yaml documents it`, { examples: result.contract })
    // confirmMagicLink and confirmDiscoveryMagicLink take a same-origin HTML form post: the generator
    // sends JSON, so the fuzz holds them to "no 5xx, documented answers" only; their successes are
    // tested in test/auth/login-callback.test.ts and test/auth/discovery.test.ts.
    if (!['confirmMagicLink', 'confirmDiscoveryMagicLink'].includes(result.operationId)) t.ok(result.classes['2xx'] + result.classes['3xx'] > 0, `${result.operationId}: some inputs reach the handler and succeed`)
  }
  t.ok(report.results.reduce((n, r) => n + r.socket, 0) > 0, 'dot-segment paths went over a real socket, as written')
})

// What the full run found (each failed before its fix).

const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` })

t.test('fuzz finding: a ui_state key outside its pattern is a 400, whatever its value (was a 500 for a deeply nested one)', async (t) => {
  const ctx = await buildApp(t)
  const tokens = await loginForTokens(ctx.app, ctx.emulator, 'viewer@acme.test')
  const deep = '['.repeat(20_000) + ']'.repeat(20_000)
  for (const [what, payload] of [
    ['a 20,000-deep array under a key outside the pattern', `{"custom_claims":{"ui_state":{"ok":"x","_deep":${deep}}}}`],
    ['a key outside the pattern', '{"custom_claims":{"ui_state":{"Sidebar":"x"}}}'],
    ['an object under a key outside the pattern', '{"custom_claims":{"ui_state":{"-":{"roles":["stytch_admin"]}}}}']
  ] as const) {
    const response = await ctx.app.inject({ method: 'PATCH', url: '/v1/me/session', headers: { ...bearer(tokens.session_jwt), 'content-type': 'application/json' }, payload })
    t.equal(response.statusCode, 400, what)
    t.equal(response.json().code, 'validation_failed', what)
  }
  const stored = [...ctx.emulator.state.sessions.values()].find((s) => s.member_session_id === tokens.session.member_session_id)
  t.same(stored?.custom_claims ?? {}, {}, 'nothing reached the session')
  const allowed = await ctx.app.inject({ method: 'PATCH', url: '/v1/me/session', headers: bearer(tokens.session_jwt), payload: { custom_claims: { ui_state: { sidebar: 'open' } } } })
  t.equal(allowed.statusCode, 200, 'a key in the pattern still works')
})

t.test('fuzz finding: a body sent to a route that reads none answers 400/413/415 as documented in openapi.yaml', async (t) => {
  // The contract recorder fails this test if these statuses are not documented for the operation.
  const ctx = await buildApp(t)
  const tokens = await loginForTokens(ctx.app, ctx.emulator, 'admin@acme.test')
  const doc = (await ctx.app.inject({ method: 'POST', url: '/v1/organizations/acme/documents', headers: bearer(tokens.session_jwt), payload: { title: 'x' } })).json()
  const invalidJson = await ctx.app.inject({ method: 'DELETE', url: `/v1/organizations/acme/documents/${doc.id as string}`, headers: { ...bearer(tokens.session_jwt), 'if-match': '"v1"', 'content-type': 'application/json' }, payload: '{"a"' })
  t.equal(invalidJson.statusCode, 400)
  t.equal(invalidJson.json().code, 'invalid_json')
  const wrongType = await ctx.app.inject({ method: 'DELETE', url: `/v1/organizations/acme/documents/${doc.id as string}`, headers: { ...bearer(tokens.session_jwt), 'if-match': '"v1"', 'content-type': 'application/xml' }, payload: '<a/>' })
  t.equal(wrongType.statusCode, 415)
  const tooLarge = await ctx.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: { ...bearer(tokens.session_jwt), 'content-type': 'application/json' }, payload: JSON.stringify({ pad: 'x'.repeat(70_000) }) })
  t.equal(tooLarge.statusCode, 413)
  t.equal((await ctx.app.inject({ url: '/v1/me', headers: bearer(tokens.session_jwt) })).statusCode, 200, 'none of them logged out')
})

t.test('fuzz finding: revokeAllSessions with more sessions than the Stytch bulkhead holds revokes them all (was 503 identity_provider_busy)', async (t) => {
  // A bulkhead of 2 slots and 2 queued: 12 sessions revoked all at once overflowed it, as 200 did the default 64 + 64.
  const ctx = await buildApp(t, { env: { STYTCH_MAX_CONCURRENT: '2', STYTCH_MAX_QUEUED: '2' } })
  const current = await loginForTokens(ctx.app, ctx.emulator, 'viewer@acme.test')
  const others = []
  for (let i = 0; i < 11; i++) others.push(await loginForTokens(ctx.app, ctx.emulator, 'viewer@acme.test'))
  const browser = await loginForCookies(ctx.app, ctx.emulator, 'viewer@acme.test')
  const revoked = await ctx.app.inject({ method: 'POST', url: '/v1/me/sessions/revoke', headers: bearer(current.session_jwt), payload: { keep_current: true } })
  t.equal(revoked.statusCode, 200, revoked.body)
  t.same(revoked.json(), { revoked: 12 })
  for (const other of others) t.equal((await ctx.app.inject({ url: '/v1/me', headers: bearer(other.session_jwt) })).statusCode, 401, 'revoked')
  t.equal((await ctx.app.inject({ url: '/v1/me', cookies: browser.cookies })).statusCode, 401, 'the browser session too')
  const list = await ctx.app.inject({ url: '/v1/me/sessions', headers: bearer(current.session_jwt) })
  t.equal(list.statusCode, 200, 'and the next request is not starved')
  t.equal(list.json().sessions.length, 1)
  const all = await ctx.app.inject({ method: 'POST', url: '/v1/me/sessions/revoke', headers: bearer(current.session_jwt), payload: { keep_current: false } })
  t.same(all.json(), { revoked: 1 })
})
