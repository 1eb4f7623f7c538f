// Reading a request's credentials, decided locally: every malformed, ambiguous and missing case, the
// bearer-beside-cookies rule (only provably the same session), and the member authorization the SDK
// calls carry. The app-level consequences (401 codes, zero Stytch calls) are in hostile-credentials.test.ts.
import t from 'tap'
import { readCredentials, SESSION_TOKEN, stytchAuthorization, unverifiedSessionId, type CredentialSources } from '../../src/auth/credentials.js'

const NAMES = { session: 'stytch_session', jwt: 'stytch_session_jwt' }
const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')

/** A compact JWS of the right shape naming session `id` (unsigned: only its shape and claims matter here). */
const jwtOf = (id: unknown): string => `${b64({ alg: 'RS256', typ: 'JWT', kid: 'jwk-test-1' })}.${b64({ 'https://stytch.com/session': { id } })}.c2lnbmF0dXJl`

const TOKEN_A = 'a'.repeat(44)
const TOKEN_B = 'b'.repeat(44)
const JWT_1 = jwtOf('member-session-test-1')
const JWT_1_AGAIN = `${JWT_1.slice(0, JWT_1.lastIndexOf('.'))}.b3RoZXI` // same claims, another signature
const JWT_2 = jwtOf('member-session-test-2')

function sources (over: Partial<CredentialSources> = {}): CredentialSources {
  const cookies = over.cookies ?? {}
  const cookieHeader = Object.keys(cookies).length === 0
    ? undefined
    : Object.entries(cookies).map(([name, value]) => `${name}=${value ?? ''}`).join('; ')
  return { authorization: undefined, authorizationCount: over.authorization === undefined ? 0 : 1, cookieHeader, cookies, ...over }
}

t.test('the session-token format', async (t) => {
  t.ok(SESSION_TOKEN.test(TOKEN_A), '44 URL-safe characters')
  t.ok(SESSION_TOKEN.test('A-_9'.repeat(10)), '40, with - and _')
  t.notOk(SESSION_TOKEN.test('a'.repeat(39)), 'too short')
  t.notOk(SESSION_TOKEN.test('a'.repeat(65)), 'too long')
  t.notOk(SESSION_TOKEN.test(`${'a'.repeat(43)}=`), 'padding is not URL-safe base64 of a token')
})

t.test('Authorization: Bearer — a JWT when it has the JWS shape, else a session token, else malformed', async (t) => {
  t.same(readCredentials(sources({ authorization: `Bearer ${JWT_1}` }), NAMES), { via: 'bearer', jwt: JWT_1 })
  t.same(readCredentials(sources({ authorization: `Bearer ${TOKEN_A}` }), NAMES), { via: 'bearer', sessionToken: TOKEN_A })
  t.same(readCredentials(sources({ authorization: `bEaReR ${TOKEN_A}` }), NAMES), { via: 'bearer', sessionToken: TOKEN_A }, 'the scheme is case-insensitive')
  t.same(readCredentials(sources({ authorization: `Bearer   ${TOKEN_A}  ` }), NAMES), { via: 'bearer', sessionToken: TOKEN_A }, 'surrounding spaces are trimmed')
  const malformed: Array<[string, string]> = [
    ['Bearer', 'the scheme alone'],
    ['Bearer ', 'an empty credential'],
    ['Bearer      ', 'only spaces'],
    [`Basic ${TOKEN_A}`, 'another scheme'],
    [`Bearer${TOKEN_A}`, 'no space after the scheme'],
    [`Bearer ${TOKEN_A} ${TOKEN_B}`, 'two credentials'],
    [`Bearer ${TOKEN_A}\t${TOKEN_B}`, 'a tab inside'],
    ['Bearer short-token', 'neither a JWT nor a session token'],
    ['Bearer a.b', 'two parts'],
    ['Bearer a..c', 'an empty middle part'],
    ['Bearer .b.c', 'an empty first part'],
    ['Bearer a.b.', 'an empty signature part'],
    ['Bearer a.b.c.d', 'four parts'],
    ['', 'an empty header']
  ]
  for (const [authorization, label] of malformed) {
    t.equal(readCredentials(sources({ authorization }), NAMES), 'malformed', label)
  }
})

t.test('nothing to read is missing; empty cookie values count as absent', async (t) => {
  t.equal(readCredentials(sources(), NAMES), 'missing')
  t.equal(readCredentials(sources({ cookies: { stytch_session: '', stytch_session_jwt: '' } }), NAMES), 'missing')
  t.equal(readCredentials(sources({ cookies: { other_cookie: TOKEN_A } }), NAMES), 'missing', 'cookies of other names are ignored')
})

t.test('cookies: each well-formed one is used; when none is, the request is malformed', async (t) => {
  t.same(readCredentials(sources({ cookies: { stytch_session: TOKEN_A } }), NAMES), { via: 'cookie', sessionToken: TOKEN_A })
  t.same(readCredentials(sources({ cookies: { stytch_session_jwt: JWT_1 } }), NAMES), { via: 'cookie', jwt: JWT_1 })
  t.same(readCredentials(sources({ cookies: { stytch_session: TOKEN_A, stytch_session_jwt: JWT_1 } }), NAMES), { via: 'cookie', jwt: JWT_1, sessionToken: TOKEN_A })
  t.same(readCredentials(sources({ cookies: { stytch_session: TOKEN_A, stytch_session_jwt: 'not-a-jwt' } }), NAMES),
    { via: 'cookie', sessionToken: TOKEN_A }, 'a junk JWT cookie beside a good token: the token alone')
  t.same(readCredentials(sources({ cookies: { stytch_session: 'short', stytch_session_jwt: JWT_1 } }), NAMES),
    { via: 'cookie', jwt: JWT_1 }, 'a junk token cookie beside a good JWT: the JWT alone')
  t.equal(readCredentials(sources({ cookies: { stytch_session: 'short', stytch_session_jwt: 'x.y' } }), NAMES), 'malformed')
  t.equal(readCredentials(sources({ cookies: { stytch_session: 'short' } }), NAMES), 'malformed')
})

t.test('two Authorization headers are ambiguous, whatever they hold', async (t) => {
  t.equal(readCredentials(sources({ authorization: `Bearer ${TOKEN_A}`, authorizationCount: 2 }), NAMES), 'ambiguous')
  t.equal(readCredentials(sources({ authorization: 'junk', authorizationCount: 3 }), NAMES), 'ambiguous', 'checked before the value')
})

t.test('a session cookie name sent twice (cookie tossing) is ambiguous; look-alike names are not', async (t) => {
  const cookies = { stytch_session: TOKEN_A }
  const twice = (cookieHeader: string): string | object => readCredentials(sources({ cookies, cookieHeader }), NAMES)
  t.equal(twice(`stytch_session=${TOKEN_A}; stytch_session=${TOKEN_B}`), 'ambiguous', 'the token cookie twice')
  t.equal(twice(`stytch_session=${TOKEN_A};stytch_session=${TOKEN_A}`), 'ambiguous', 'twice, even with the same value and no space')
  t.equal(twice(`stytch_session_jwt=${JWT_1}; stytch_session=${TOKEN_A}; stytch_session_jwt=${JWT_2}`), 'ambiguous', 'the JWT cookie twice')
  t.equal(twice(`stytch_session =${TOKEN_A}; stytch_session=${TOKEN_B}`), 'ambiguous', 'a space before = still names the cookie')
  t.same(twice(`xstytch_session=${TOKEN_B}; stytch_session=${TOKEN_A}`), { via: 'cookie', sessionToken: TOKEN_A }, 'a name ending in the cookie name is another cookie')
  t.same(twice(`stytch_session=${TOKEN_A}; stytch_session_old=${TOKEN_B}`), { via: 'cookie', sessionToken: TOKEN_A }, 'a name starting with it too')
  t.same(twice(`stytch_session=${TOKEN_A}; note=stytch_session`), { via: 'cookie', sessionToken: TOKEN_A }, 'the name inside a value is not a cookie')
  t.same(twice(`stytch_session=${TOKEN_A}; a=1`), { via: 'cookie', sessionToken: TOKEN_A }, 'once is fine')
})

t.test('a bearer beside session cookies: accepted only when provably the same session', async (t) => {
  const read = (authorization: string, cookies: Record<string, string>): string | object => readCredentials(sources({ authorization, cookies }), NAMES)
  t.same(read(`Bearer ${TOKEN_A}`, { stytch_session: TOKEN_A }), { via: 'bearer', sessionToken: TOKEN_A }, 'the same session token')
  t.equal(read(`Bearer ${TOKEN_A}`, { stytch_session: TOKEN_B }), 'ambiguous', 'another session token')
  t.equal(read(`Bearer ${TOKEN_A}`, { stytch_session_jwt: JWT_1 }), 'ambiguous', 'a bearer token beside a JWT cookie alone: cannot be shown the same')
  t.same(read(`Bearer ${JWT_1}`, { stytch_session_jwt: JWT_1_AGAIN }), { via: 'bearer', jwt: JWT_1 }, 'JWTs naming the same session')
  t.same(read(`Bearer ${JWT_1}`, { stytch_session_jwt: JWT_1, stytch_session: TOKEN_A }), { via: 'bearer', jwt: JWT_1 },
    'the same JWT; the bearer is what is used')
  t.equal(read(`Bearer ${JWT_1}`, { stytch_session_jwt: JWT_2 }), 'ambiguous', 'JWTs of two sessions')
  t.equal(read(`Bearer ${JWT_1}`, { stytch_session: TOKEN_A }), 'ambiguous', 'a bearer JWT beside a token cookie alone')
  t.equal(read(`Bearer ${jwtOf(42)}`, { stytch_session_jwt: jwtOf(42) }), 'ambiguous', 'no session id to compare: not provably the same')
  t.equal(read(`Bearer ${jwtOf(undefined)}`, { stytch_session_jwt: jwtOf(undefined) }), 'ambiguous', 'no session id at all')
  t.equal(read(`Bearer ${JWT_1}`, { stytch_session_jwt: 'x.bm90LWpzb24.y' }), 'ambiguous', 'an unreadable JWT cookie')
  t.equal(read('Bearer junk', { stytch_session: TOKEN_A }), 'malformed', 'a malformed bearer stays malformed beside cookies')
  t.same(read(`Bearer ${TOKEN_A}`, { stytch_session: '', stytch_session_jwt: '' }), { via: 'bearer', sessionToken: TOKEN_A },
    'empty cookies are no cookies')
})

t.test('unverifiedSessionId reads the session claim without verifying, and never throws', async (t) => {
  t.equal(unverifiedSessionId(JWT_1), 'member-session-test-1')
  t.equal(unverifiedSessionId(jwtOf(7)), undefined, 'not a string')
  t.equal(unverifiedSessionId(`${b64({})}.${b64({ sub: 'member-test-1' })}.sig`), undefined, 'no session claim')
  t.equal(unverifiedSessionId(`${b64({})}.${b64({ 'https://stytch.com/session': null })}.sig`), undefined, 'a null session claim')
  t.equal(unverifiedSessionId(`${b64({})}.${b64('just a string')}.sig`), undefined, 'claims that are not an object')
  t.equal(unverifiedSessionId('a.bm90LWpzb24.c'), undefined, 'claims that are not JSON')
  t.equal(unverifiedSessionId('no-dots-at-all'), undefined)
  t.equal(unverifiedSessionId(`${b64({})}.${b64(null)}.sig`), undefined, 'null claims')
})

t.test('stytchAuthorization: the session token when there is one, else the JWT, else nothing', async (t) => {
  t.same(stytchAuthorization(null), {})
  t.same(stytchAuthorization({ via: 'cookie', jwt: JWT_1, sessionToken: TOKEN_A }), { session_token: TOKEN_A })
  t.same(stytchAuthorization({ via: 'bearer', sessionToken: TOKEN_A }), { session_token: TOKEN_A })
  t.same(stytchAuthorization({ via: 'bearer', jwt: JWT_1 }), { session_jwt: JWT_1 })
  t.same(stytchAuthorization({ via: 'cookie' }), {})
})
