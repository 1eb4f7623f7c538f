// Each validation problem of loadConfig and each derived value, one at a time (config.test.ts has the
// defaults and the report of several problems at once).
import t from 'tap'
import { ConfigError, loadConfig, magicLinkCallbackUrl, usesEmbeddedEmulator } from '../../src/config.js'

const STYTCH = { STYTCH_PROJECT_ID: 'project-test-1', STYTCH_SECRET: 'secret-test-1' }

function problemsOf (env: Record<string, string>): string[] {
  try {
    loadConfig(env)
  } catch (err) {
    if (err instanceof ConfigError) return err.problems
    throw err
  }
  return []
}

t.test('STYTCH_PROJECT_ID and STYTCH_SECRET: both or neither', async (t) => {
  t.match(problemsOf({ STYTCH_PROJECT_ID: 'project-test-1' }), [/STYTCH_PROJECT_ID and STYTCH_SECRET: set both/], 'the project id alone')
  t.match(problemsOf({ STYTCH_SECRET: 'secret-test-1' }), [/STYTCH_PROJECT_ID and STYTCH_SECRET: set both/], 'the secret alone')
  t.same(problemsOf(STYTCH), [], 'both')
  t.same(problemsOf({}), [], 'neither: the embedded emulator')
  t.notOk(usesEmbeddedEmulator(loadConfig(STYTCH)))
  t.ok(usesEmbeddedEmulator(loadConfig({})))
})

t.test('production needs real Stytch credentials, and accepts them', async (t) => {
  t.match(problemsOf({ NODE_ENV: 'production' }), [/required when NODE_ENV=production/])
  t.same(problemsOf({ NODE_ENV: 'production', ...STYTCH }), [])
  t.same(problemsOf({ NODE_ENV: 'development' }), [], 'only production refuses the emulator')
})

t.test('the headers timeout may not exceed the request timeout', async (t) => {
  const problems = problemsOf({ HEADERS_TIMEOUT_MS: '20000', REQUEST_TIMEOUT_MS: '10000' })
  t.equal(problems.length, 1)
  t.match(problems[0], /HEADERS_TIMEOUT_MS \(20000\) must not exceed REQUEST_TIMEOUT_MS \(10000\)/)
  t.same(problemsOf({ HEADERS_TIMEOUT_MS: '10000', REQUEST_TIMEOUT_MS: '10000' }), [], 'equal is fine')
})

t.test('each schema problem names the variable and echoes what it got', async (t) => {
  const one = (env: Record<string, string>, pattern: RegExp, label: string): void => {
    const problems = problemsOf(env)
    t.equal(problems.length, 1, `${label}: one problem`)
    t.match(problems[0], pattern, label)
  }
  one({ PORT: '70000' }, /^PORT: .* \(got "70000"\)$/, 'a port out of range')
  one({ STYTCH_TIMEOUT_MS: '50' }, /^STYTCH_TIMEOUT_MS: .*100.* \(got "50"\)$/, 'below a minimum')
  one({ STYTCH_API_URL: 'ftp://stytch.test' }, /^STYTCH_API_URL: .* \(got "ftp:\/\/stytch.test"\)$/, 'not an http(s) URL')
  one({ DATABASE_URL: 'mysql://db' }, /^DATABASE_URL: /, 'not a PostgreSQL URL')
  one({ REDIS_URL: 'http://redis' }, /^REDIS_URL: /, 'not a Redis URL')
  one({ PUBLIC_URL: 'http://api.test/' }, /^PUBLIC_URL: /, 'a trailing slash')
  one({ SESSION_COOKIE_NAME: 'bad name;' }, /^SESSION_COOKIE_NAME: .* \(got "bad name;"\)$/, 'a cookie name with a space and a semicolon')
  one({ COOKIE_SECURE: 'maybe' }, /^COOKIE_SECURE: /, 'not a boolean')
  one({ LOG_LEVEL: 'verbose' }, /^LOG_LEVEL: /, 'not a log level')
})

t.test('CORS_ORIGINS and LOGIN_REDIRECT_URLS must be URLs; each bad entry is named', async (t) => {
  const problems = problemsOf({ CORS_ORIGINS: 'http://spa.test, spa.test', LOGIN_REDIRECT_URLS: 'https://app.test/done,/relative' })
  t.same(problems, [
    'not a URL: "spa.test" (in CORS_ORIGINS or LOGIN_REDIRECT_URLS)',
    'not a URL: "/relative" (in CORS_ORIGINS or LOGIN_REDIRECT_URLS)'
  ])
  const config = loadConfig({ CORS_ORIGINS: 'http://spa.test, ,http://admin.test', LOGIN_REDIRECT_URLS: 'https://app.test/done', TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' })
  t.same(config.CORS_ORIGINS, ['http://spa.test', 'http://admin.test'], 'blank entries are dropped')
  t.same(config.LOGIN_REDIRECT_URLS, ['https://app.test/done'])
  t.same(config.TRUST_PROXY, ['10.0.0.0/8', '127.0.0.1'])
})

t.test('PUBLIC_URL: as configured, else this host and port (0.0.0.0 is reached as 127.0.0.1)', async (t) => {
  t.equal(loadConfig({ PUBLIC_URL: 'https://api.example.test' }).PUBLIC_URL, 'https://api.example.test')
  t.equal(loadConfig({ HOST: '0.0.0.0', PORT: '8080' }).PUBLIC_URL, 'http://127.0.0.1:8080', 'a wildcard bind is not an address to link to')
  t.equal(loadConfig({ HOST: 'api.local', PORT: '8080' }).PUBLIC_URL, 'http://api.local:8080')
  t.equal(magicLinkCallbackUrl(loadConfig({ PUBLIC_URL: 'https://api.example.test' })), 'https://api.example.test/v1/auth/magic-links/callback',
    'emailed links land on the configured origin')
})

t.test('COOKIE_HOST_PREFIX follows COOKIE_SECURE unless set', async (t) => {
  t.equal(loadConfig({}).COOKIE_HOST_PREFIX, true)
  t.equal(loadConfig({ COOKIE_SECURE: 'false' }).COOKIE_HOST_PREFIX, false)
  t.equal(loadConfig({ COOKIE_HOST_PREFIX: 'false' }).COOKIE_HOST_PREFIX, false, 'set off while Secure')
  t.equal(loadConfig({ COOKIE_SECURE: 'false', COOKIE_HOST_PREFIX: 'true' }).COOKIE_HOST_PREFIX, true, 'set on while not Secure')
})

t.test('unknown variables are ignored', async (t) => {
  t.same(problemsOf({ NOT_A_SETTING: 'whatever' }), [])
})
