// Session cookie names and attributes, from configuration: the __Host- prefix and the Secure flag
// it requires, and the Max-Age arithmetic.
import t from 'tap'
import { cookieNames, cookieOptions, secondsUntil } from '../../src/auth/cookies.js'
import { loadConfig } from '../../src/config.js'

t.test('the __Host- prefix is on by default (cookies are Secure by default) and off on request', async (t) => {
  t.same(cookieNames(loadConfig({})), { session: '__Host-stytch_session', jwt: '__Host-stytch_session_jwt' })
  t.same(cookieNames(loadConfig({ COOKIE_HOST_PREFIX: 'false' })), { session: 'stytch_session', jwt: 'stytch_session_jwt' })
  t.same(cookieNames(loadConfig({ COOKIE_SECURE: 'false' })), { session: 'stytch_session', jwt: 'stytch_session_jwt' },
    'plain-HTTP development: no prefix, since the browser would refuse a __Host- cookie without Secure')
  t.same(cookieNames(loadConfig({ SESSION_COOKIE_NAME: 'sid', SESSION_JWT_COOKIE_NAME: 'sjwt', COOKIE_HOST_PREFIX: 'true' })),
    { session: '__Host-sid', jwt: '__Host-sjwt' }, 'configured names get the prefix too')
})

t.test('cookies are HttpOnly, SameSite=Lax, Path=/, and Secure whenever Secure or the prefix is asked for', async (t) => {
  t.same(cookieOptions(loadConfig({})), { httpOnly: true, secure: true, sameSite: 'lax', path: '/' })
  t.same(cookieOptions(loadConfig({ COOKIE_SECURE: 'false' })), { httpOnly: true, secure: false, sameSite: 'lax', path: '/' })
  t.equal(cookieOptions(loadConfig({ COOKIE_SECURE: 'false', COOKIE_HOST_PREFIX: 'true' })).secure, true,
    'a __Host- cookie must be Secure, even when COOKIE_SECURE=false')
  t.equal(cookieOptions(loadConfig({ COOKIE_SECURE: 'true', COOKIE_HOST_PREFIX: 'false' })).secure, true)
})

t.test('secondsUntil: whole seconds, rounded down, never negative', async (t) => {
  const now = Date.parse('2026-01-10T09:00:00.000Z')
  t.equal(secondsUntil('2026-01-10T10:00:00.000Z', now), 3600)
  t.equal(secondsUntil('2026-01-10T09:00:01.999Z', now), 1, 'rounded down: the cookie never outlives the session')
  t.equal(secondsUntil('2026-01-10T09:00:00.000Z', now), 0)
  t.equal(secondsUntil('2026-01-10T08:00:00.000Z', now), 0, 'already past: 0, which deletes the cookie')
})
