import t from 'tap'
import { ConfigError, loadConfig, usesEmbeddedEmulator } from '../../src/config.js'

t.test('defaults: embedded emulator, port 3000 on 127.0.0.1, Stytch cookie names', async (t) => {
  const config = loadConfig({})
  t.equal(config.PORT, 3000)
  t.equal(config.HOST, '127.0.0.1')
  t.equal(config.EMULATOR_PORT, 4010)
  t.equal(config.PUBLIC_URL, 'http://127.0.0.1:3000')
  t.equal(config.SESSION_COOKIE_NAME, 'stytch_session')
  t.equal(config.SESSION_JWT_COOKIE_NAME, 'stytch_session_jwt')
  t.equal(config.COOKIE_SECURE, true)
  t.same(config.CORS_ORIGINS, [])
  t.ok(usesEmbeddedEmulator(config))
})

t.test('strings are converted and lists split; empty strings count as unset', async (t) => {
  const config = loadConfig({ PORT: '8080', COOKIE_SECURE: 'false', CORS_ORIGINS: 'http://a.test, http://b.test', HOST: '', STYTCH_PROJECT_ID: 'p', STYTCH_SECRET: 's' })
  t.equal(config.PORT, 8080)
  t.equal(config.COOKIE_SECURE, false)
  t.same(config.CORS_ORIGINS, ['http://a.test', 'http://b.test'])
  t.equal(config.HOST, '127.0.0.1')
  t.notOk(usesEmbeddedEmulator(config))
})

t.test('every bad variable is reported at once, secrets never echoed', async (t) => {
  const err = t.throws(() => loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud', STYTCH_SECRET: 'shh-secret-value', CORS_ORIGINS: 'not a url' })) as ConfigError
  t.type(err, ConfigError)
  const text = err.problems.join('\n')
  t.match(text, /PORT/)
  t.match(text, /LOG_LEVEL/)
  t.match(text, /STYTCH_PROJECT_ID and STYTCH_SECRET: set both/)
  t.match(text, /not a URL: "not a url"/)
  t.notMatch(err.message, /shh-secret-value/)
  t.ok(err.problems.length >= 4)
})

t.test('production refuses to fall back to the emulator', async (t) => {
  const err = t.throws(() => loadConfig({ NODE_ENV: 'production' })) as ConfigError
  t.match(err.message, /required when NODE_ENV=production/)
})
