import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { ConfigError, EnvSchema, loadConfig } from '../../src/config.js'
import { loadEnvFile } from '../../src/env-file.js'

const repo = join(import.meta.dirname, '..', '..')

const tempDir = (t: Test): string => {
  const dir = mkdtempSync(join(tmpdir(), 'env-file-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** The test process's environment without any variable the API reads: only what each test sets. */
const cleanEnv = (): NodeJS.ProcessEnv => {
  const env = { ...process.env }
  for (const name of Object.keys(EnvSchema.properties)) delete env[name]
  return env
}

t.test('loadEnvFile: Node\'s dotenv syntax (comments, quotes, inline comments); the real environment wins, even when empty', async (t) => {
  const dir = tempDir(t)
  writeFileSync(join(dir, '.env'), [
    '# a comment',
    'PORT=4001          # inline comment',
    'LOG_LEVEL="debug"',
    'HOST=0.0.0.0',
    'DOCS_ENABLED=false',
    'export CORS_ORIGINS=http://spa.test'
  ].join('\n'))
  const env: NodeJS.ProcessEnv = { HOST: '127.0.0.2', DOCS_ENABLED: '' }
  const file = loadEnvFile(join(dir, '.env'), env)
  t.same(env, { HOST: '127.0.0.2', DOCS_ENABLED: '', PORT: '4001', LOG_LEVEL: 'debug', CORS_ORIGINS: 'http://spa.test' })
  t.same([...file?.loaded ?? []].sort(), ['CORS_ORIGINS', 'LOG_LEVEL', 'PORT'], 'only what the environment did not set')
  t.equal(loadEnvFile(join(dir, 'missing.env'), env), undefined, 'no file: nothing to do')
})

const runServer = async (cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null, stdout: string, stderr: string }> =>
  await new Promise((resolve) => {
    execFile(process.execPath, [join(repo, 'node_modules/tsx/dist/cli.mjs'), join(repo, 'src/server.ts')], { cwd, env, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : (typeof err.code === 'number' ? err.code : null), stdout, stderr })
    })
  })

t.test('npm start reads .env from the working directory: every bad variable from it named, the real environment wins, secrets never echoed', { timeout: 90_000 }, async (t) => {
  const dir = tempDir(t)
  writeFileSync(join(dir, '.env'), [
    'PORT=not-a-port',
    'LOG_LEVEL=loud',
    'DATABASE_URL=mysql://app:pw-never-printed@db:3306/app',
    'STYTCH_SECRET=secret-never-printed'
  ].join('\n'))
  const { code, stdout, stderr } = await runServer(dir, { ...cleanEnv(), PORT: '3999' })
  t.equal(code, 1, 'the process exits non-zero')
  t.match(stderr, /^Invalid configuration:/m)
  t.match(stderr, /LOG_LEVEL: .*\(got "loud", from \.env\)/)
  t.match(stderr, /DATABASE_URL: .*\(got "mysql:\/\/app:\(hidden\)@db:3306\/app", from \.env\)/)
  t.match(stderr, /STYTCH_PROJECT_ID and STYTCH_SECRET: set both/, 'the half-set credentials from .env are named too')
  t.notMatch(stderr, /PORT:/, 'PORT=3999 from the real environment wins over the bad value in .env')
  t.notMatch(stderr + stdout, /never-printed/, 'neither the secret nor the password is echoed')
  t.equal(stdout, '', 'nothing starts')
})

t.test('loadConfig: problems from the dotenv file say so; a URL password is hidden', async (t) => {
  const err = t.throws(() => loadConfig({ REDIS_URL: 'http://u:pw-hidden@cache:6379', LOG_LEVEL: 'loud' }, { path: '.env', loaded: new Set(['REDIS_URL']) })) as ConfigError
  t.match(err.problems.find((p) => p.startsWith('REDIS_URL')), /\(got "http:\/\/u:\(hidden\)@cache:6379", from \.env\)$/)
  t.match(err.problems.find((p) => p.startsWith('LOG_LEVEL')), /\(got "loud"\)$/, 'a variable from the real environment carries no "from"')
  t.notMatch(err.message, /pw-hidden/)
})
