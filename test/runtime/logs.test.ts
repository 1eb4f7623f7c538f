import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { EnvSchema } from '../../src/config.js'

// The process as a developer starts it (src/server.ts under tsx, embedded emulator, PGlite in a
// temporary DATA_DIR), once with stdout piped (a container, CI) and once on a pseudo-terminal
// (`script`), until it has printed its dev login link.
const repo = join(import.meta.dirname, '..', '..')
const tsx = join(repo, 'node_modules/tsx/dist/cli.mjs')
const server = join(repo, 'src/server.ts')
const LINK = /^http:\/\/127\.0\.0\.1:(\d+)\/v1\/auth\/magic-links\/callback\?[^\s"'\\]+$/m

const freePort = async (): Promise<number> => await new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address() as { port: number }
    s.close(() => { resolve(port) })
  })
})

async function processEnv (t: Test): Promise<{ env: NodeJS.ProcessEnv, cwd: string, port: number }> {
  const cwd = mkdtempSync(join(tmpdir(), 'logs-'))
  t.teardown(() => rmSync(cwd, { recursive: true, force: true, maxRetries: 20, retryDelay: 250 }))
  const env = { ...process.env }
  for (const name of Object.keys(EnvSchema.properties)) delete env[name]
  const port = await freePort()
  Object.assign(env, { PORT: String(port), EMULATOR_PORT: String(await freePort()), DATA_DIR: join(cwd, 'data'), FORCE_COLOR: '1' })
  return { env, cwd, port }
}

/** Runs the command in its own process group until `done(output)` holds, then ends that group. */
async function runUntil (t: Test, command: string, args: string[], options: { env: NodeJS.ProcessEnv, cwd: string }, done: (out: { stdout: string, stderr: string }) => boolean): Promise<{ stdout: string, stderr: string }> {
  const child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  const out = { stdout: '', stderr: '' }
  const stop = (): void => { try { process.kill(-(child.pid ?? 0), 'SIGTERM') } catch {} }
  t.teardown(stop)
  return await new Promise((resolve, reject) => {
    const timer = setTimeout(() => { stop(); reject(new Error(`timed out; output so far:\n${out.stdout}\n${out.stderr}`)) }, 80_000)
    // Done: end the group and answer once it has exited (it writes its state into DATA_DIR on the way out).
    const check = (): void => { if (done(out)) { clearTimeout(timer); stop() } }
    child.stdout.on('data', (chunk: Buffer) => { out.stdout += chunk.toString('utf8'); check() })
    child.stderr.on('data', (chunk: Buffer) => { out.stderr += chunk.toString('utf8'); check() })
    child.on('exit', () => { clearTimeout(timer); resolve(out) })
  })
}

t.test('not on a terminal: JSON lines on stdout, the login link alone on a plain line of stderr, no SDK warning', { timeout: 100_000 }, async (t) => {
  const { env, cwd, port } = await processEnv(t)
  const { stdout, stderr } = await runUntil(t, process.execPath, [tsx, server], { env, cwd }, (o) => LINK.test(o.stderr) && o.stdout.includes('printed on stderr'))
  const lines = stdout.split('\n').filter((l) => l.length > 0)
  t.ok(lines.length > 2, 'some log lines')
  const parsed = lines.map((l) => { try { return JSON.parse(l) as { msg?: string, level?: number } } catch { return l } })
  t.same(parsed.filter((l) => typeof l === 'string'), [], 'every stdout line is a JSON object')
  t.ok(parsed.some((l) => typeof l === 'object' && /Server listening/.test(l.msg ?? '')), 'pino\'s own lines among them')
  t.equal(LINK.exec(stderr)?.[1], String(port), 'a clean link to this API\'s port')
  t.notMatch(stdout, /magic-links\/callback\?/, 'the link is not in the logs')
  t.notMatch(stdout + stderr, /\[Stytch\] Warning/, 'the SDK\'s custom-env warning is not printed')
})

t.test('on a terminal: pino-pretty lines, the login link alone on a plain line, no SDK warning', { timeout: 100_000 }, async (t) => {
  const { env, cwd, port } = await processEnv(t)
  // `script` gives the process a pseudo-terminal (stdout.isTTY); its output is the terminal's.
  // The server runs in script's own session, out of reach of our process-group kill: it leaves its
  // pid, and the test ends it and waits for it (it writes its state into DATA_DIR on the way out).
  const pidFile = join(cwd, 'server.pid')
  t.teardown(async () => {
    let pid = 0
    try { pid = Number(readFileSync(pidFile, 'utf8')) } catch { return }
    try { process.kill(pid, 'SIGTERM') } catch { return }
    for (let i = 0; i < 150; i++) {
      try { process.kill(pid, 0) } catch { return }
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    try { process.kill(pid, 'SIGKILL') } catch {}
  })
  const command = `echo $$ > '${pidFile}'; exec '${process.execPath}' '${tsx}' '${server}'`
  const clean = (s: string): string => s.replace(/\r/g, '').replace(/\x1b\[[0-9;]*m/g, '') // eslint-disable-line no-control-regex
  const { stdout } = await runUntil(t, 'script', ['-qefc', command, '/dev/null'], { env, cwd }, (o) => LINK.test(clean(o.stdout)) && clean(o.stdout).includes('printed on stderr'))
  const text = clean(stdout)
  t.match(text, /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: Server listening at http:\/\/127\.0\.0\.1:\d+/m, 'pretty: time, level, message')
  t.notMatch(text, /^\{"level"/m, 'no JSON lines')
  t.equal(LINK.exec(text)?.[1], String(port), 'a clean link to this API\'s port')
  t.notMatch(text, /\[Stytch\] Warning/, 'the SDK\'s custom-env warning is not printed')
})

t.test('logDestination: a pretty stream only for a TTY', async (t) => {
  const { logDestination } = await import('../../src/log-destination.js')
  t.equal(logDestination({ isTTY: false }), undefined, 'piped: pino\'s JSON on stdout')
  t.equal(logDestination({}), undefined)
  const pretty = logDestination({ isTTY: true })
  t.equal(typeof pretty?.write, 'function', 'a terminal: pino-pretty')
  pretty?.end()
})
