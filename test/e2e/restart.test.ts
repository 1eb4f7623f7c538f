// The embedded default remembers (issue 11): the real server process (src/server.ts, no Stytch
// credentials) with a DATA_DIR, stopped and started again. The session token and the JWT from before
// the restart still authenticate, the document is still listed, the organization id is unchanged, and
// a link sent before the restart still logs in.
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'

const freePort = async (): Promise<number> => await new Promise((resolve, reject) => {
  const server = createServer().listen(0, '127.0.0.1', () => {
    const { port } = server.address() as { port: number }
    server.close(() => resolve(port))
  }).on('error', reject)
})

interface Server { child: ChildProcess, output: () => string }

/** `tsx src/server.ts` as `npm run dev` runs it (no build), with the embedded emulator and PGlite in `dataDir`. */
async function startServer (t: Test, env: Record<string, string>, api: string): Promise<Server> {
  const child = spawn(process.execPath, [join('node_modules', 'tsx', 'dist', 'cli.mjs'), 'src/server.ts'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => { output += chunk.toString('utf8') })
  child.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString('utf8') })
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  const deadline = Date.now() + 90_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}:\n${output}`)
    try {
      if ((await fetch(`${api}/readyz`)).ok) return { child, output: () => output }
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error(`the server did not become ready:\n${output}`)
}

/** SIGTERM, as a developer's Ctrl-C or `docker stop`: graceful close flushes the emulator's state. */
async function stopServer (server: Server): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => server.child.once('exit', (code) => resolve(code)))
  server.child.kill('SIGTERM')
  return await exited
}

const post = (body: unknown, headers: Record<string, string> = {}): RequestInit =>
  ({ method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })
const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

t.test('a restart of the embedded default keeps organization ids, sessions, JWTs, links and documents', { timeout: 240_000 }, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'restart-data-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
  const [appPort, emulatorPort] = [await freePort(), await freePort()]
  const api = `http://127.0.0.1:${appPort}`
  const emulator = `http://127.0.0.1:${emulatorPort}/`
  const env = {
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: String(appPort),
    EMULATOR_PORT: String(emulatorPort),
    LOG_LEVEL: 'info',
    NODE_ENV: 'development',
    STYTCH_PROJECT_ID: '',
    STYTCH_SECRET: '',
    STYTCH_API_URL: '',
    DATABASE_URL: '',
    REDIS_URL: ''
  }

  const latestLink = async (email: string): Promise<{ token: string, organization_id: string }> => {
    const response = await fetch(`${emulator}emulator/outbox?email=${encodeURIComponent(email)}`)
    const { messages } = await response.json() as { messages: Array<{ token: string, organization_id: string }> }
    const message = messages.at(-1)
    if (message === undefined) throw new Error(`no link for ${email}`)
    return message
  }
  /** A mobile app's send: its own PKCE pair, the link read from the emulator's outbox. */
  const sendLink = async (email: string): Promise<{ token: string, verifier: string, organization_id: string }> => {
    const verifier = randomBytes(32).toString('base64url')
    const challenge = createHash('sha256').update(verifier).digest('base64url')
    const sent = await fetch(`${api}/v1/auth/magic-links/send`, post({ email_address: email, organization: 'acme', pkce_code_challenge: challenge }))
    if (sent.status !== 202) throw new Error(`send answered ${sent.status}`)
    return { ...await latestLink(email), verifier }
  }
  const authenticate = async (link: { token: string, verifier: string }): Promise<Response> =>
    await fetch(`${api}/v1/auth/magic-links/authenticate`, post({ token: link.token, delivery: 'body', pkce_code_verifier: link.verifier }))

  // Before: log in, create a document, send (and keep) a second link.
  let server = await startServer(t, env, api)
  const login = await authenticate(await sendLink('editor@acme.test'))
  t.equal(login.status, 200, 'logged in')
  const tokens = await login.json() as { session_token: string, session_jwt: string, organization: { organization_id: string }, session: { member_session_id: string } }
  const organizationId = tokens.organization.organization_id
  const created = await fetch(`${api}/v1/organizations/${organizationId}/documents`, post({ title: 'Before the restart', body: 'still here?' }, bearer(tokens.session_jwt)))
  t.equal(created.status, 201, 'document created')
  const document = await created.json() as { id: string }
  const pending = await sendLink('viewer@acme.test')
  const loggedOut = await authenticate(await sendLink('admin@acme.test'))
  const outTokens = await loggedOut.json() as { session_token: string, session_jwt: string }
  t.equal((await fetch(`${api}/v1/auth/logout`, { method: 'POST', headers: bearer(outTokens.session_token) })).status, 204, 'a second session logged out')
  t.equal(await stopServer(server), 0, 'the server stops cleanly')

  // After: a new process on the same DATA_DIR.
  server = await startServer(t, env, api)
  const restored = /Emulator state: \S*emulator\.json \(restored/
  for (let i = 0; i < 100 && !restored.test(server.output()); i++) await new Promise((resolve) => setTimeout(resolve, 100))
  t.match(server.output(), restored, 'the dev login says the state was restored')
  const byJwt = await fetch(`${api}/v1/me`, { headers: bearer(tokens.session_jwt) })
  t.equal(byJwt.status, 200, 'the JWT from before the restart authenticates (same signing keys)')
  const me = await byJwt.json() as { organization: { organization_id: string }, session: { member_session_id: string } }
  t.equal(me.organization.organization_id, organizationId, 'the organization id is unchanged')
  t.equal(me.session.member_session_id, tokens.session.member_session_id, 'the same session')
  const byToken = await fetch(`${api}/v1/me`, { headers: bearer(tokens.session_token) })
  t.equal(byToken.status, 200, 'the session token from before the restart authenticates (Stytch side: the emulator remembers)')
  const list = await fetch(`${api}/v1/organizations/${organizationId}/documents`, { headers: bearer(tokens.session_jwt) })
  const page = await list.json() as { documents: Array<{ id: string, title: string }> }
  t.same(page.documents.map((d) => d.id), [document.id], 'the document is still listed')
  t.equal((await fetch(`${api}/v1/organizations/acme/documents`, { headers: bearer(tokens.session_jwt) })).status, 200, 'and reachable by slug')
  const viewer = await authenticate(pending)
  t.equal(viewer.status, 200, 'a link sent before the restart still logs in')
  t.equal((await fetch(`${api}/v1/me`, { headers: bearer(outTokens.session_token) })).status, 401, 'a session ended before the restart stays ended')
  const revokedJwt = await fetch(`${api}/v1/me`, { headers: bearer(outTokens.session_jwt) })
  t.equal(revokedJwt.status, 401, 'its still-unexpired JWT too: the revocation list survived the restart (DATA_DIR/revocations.json)')
  t.equal((await revokedJwt.json() as { code: string }).code, 'session_revoked')
  t.equal((await latestLink('admin@acme.test')).organization_id, organizationId, 'the dev login of the second start went to the same organization')
  t.equal(await stopServer(server), 0)
})
