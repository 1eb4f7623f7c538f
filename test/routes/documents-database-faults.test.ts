import { randomBytes } from 'node:crypto'
import t, { type Test } from 'tap'
import { openDatabase, type Database } from '../../src/db/database.js'
import { connectOrSkip, POSTGRES_URL, withParameter } from '../db/postgres-helper.js'
import { buildApp, emulatorPost, loginForTokens, startTestEmulator, type BuildOptions } from '../helper.js'

/**
 * The database failing under the API (issue 14): PostgreSQL backends terminated while a request
 * is inside the database, as a restart or failover does. Against the machine's PostgreSQL.
 */
const admin = await connectOrSkip('the PostgreSQL fault tests of the documents routes')

const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

async function waitFor (t: Test, what: string, condition: () => Promise<boolean> | boolean): Promise<void> {
  for (let i = 0; i < 1_000; i++) {
    if (await condition()) return
    await sleep(10)
  }
  t.fail(`timed out waiting for ${what}`)
}

async function editorApp (t: Test, options: BuildOptions = {}) {
  // Its own application_name, so the test terminates this app's backends only: other test files
  // share the server and name theirs b2b-session-api.
  const applicationName = `b2b-session-api-faults-${randomBytes(4).toString('hex')}`
  const ctx = await buildApp(t, { env: { DATABASE_URL: withParameter(POSTGRES_URL, 'application_name', applicationName) }, ...options })
  const login = await loginForTokens(ctx.app, ctx.emulator, 'editor@acme.test')
  const authorization = `Bearer ${login.session_jwt}`
  const org = (await ctx.app.inject({ url: '/v1/me', headers: { authorization } })).json().organization.organization_id as string
  const call = async (method: string, path: string, options: { payload?: object, headers?: Record<string, string> } = {}) =>
    await ctx.app.inject({ method: method as 'GET', url: `/v1/organizations/${org}/documents${path}`, headers: { authorization, ...options.headers }, ...(options.payload === undefined ? {} : { payload: options.payload }) })
  /** The app's log so far (ctx.logs is a getter, which a spread would freeze). */
  const logs = () => ctx.logs
  const connectionFailures = () => logs().filter((line) => line.msg === 'database connection failed').length
  return { app: ctx.app, emulator: ctx.emulator, logs, org, call, applicationName, connectionFailures }
}

if (admin !== undefined) {
  const db: Database = admin
  t.teardown(() => db.close())

  /** Holds a row lock (or key) in a transaction of the test's own until release() is called, then rolls back. */
  async function holdInTransaction (statement: string, params: unknown[]) {
    let release!: () => void
    const released = new Promise<void>((resolve) => { release = resolve })
    let held!: () => void
    const holding = new Promise<void>((resolve) => { held = resolve })
    const done = db.transaction(async (tx) => {
      await tx.query(statement, params)
      held()
      await released
      throw new Error('roll back what the test held')
    }).catch(() => {})
    await holding
    return async () => { release(); await done }
  }

  /**
   * The server has no backend of the app left. Each closed its socket on exiting, so a moment
   * later the app's pool has seen every connection end (and dropped it).
   */
  async function backendsGone (t: Test, applicationName: string): Promise<void> {
    await waitFor(t, 'the terminated backends to exit', async () =>
      (await db.query<{ n: number }>('select count(*)::int as n from pg_stat_activity where application_name = $1', [applicationName])).rows[0]?.n === 0)
    await sleep(20)
  }

  const waitingOnLock = async (applicationName: string): Promise<boolean> =>
    (await db.query<{ n: number }>("select count(*)::int as n from pg_stat_activity where application_name = $1 and wait_event_type = 'Lock'", [applicationName])).rows[0]?.n === 1

  /** What the reliability run did, limited to this app's backends. Returns how many were terminated. */
  async function terminateBackends (applicationName: string): Promise<number> {
    const { rows } = await db.query<{ terminated: boolean }>(
      'select pg_terminate_backend(pid) as terminated from pg_stat_activity where application_name = $1 and pid <> pg_backend_pid()', [applicationName])
    return rows.filter((row) => row.terminated).length
  }

  t.test('backends terminated during createDocument with Idempotency-Key: 503, the app lives, the retry creates', async (t) => {
    const { app, call, org, applicationName, connectionFailures, logs } = await editorApp(t)
    const key = `fault-${randomBytes(4).toString('hex')}`
    // The key is claimed by a transaction of the test's: the app's transaction blocks on it
    // (after BEGIN, inside the insert), so the backends are terminated mid-transaction for sure.
    const release = await holdInTransaction(
      "insert into idempotency_keys (organization_id, key, request_hash, document_id) values ($1, $2, 'held by the test', gen_random_uuid())", [org, key])
    const pending = call('POST', '', { payload: { title: 'Survives' }, headers: { 'idempotency-key': key } })
    await waitFor(t, 'the app\'s transaction to wait on the held key', () => waitingOnLock(applicationName))
    const terminated = await terminateBackends(applicationName)
    t.ok(terminated >= 1)

    const failed = await pending
    t.equal(failed.statusCode, 503)
    t.match(failed.json(), { statusCode: 503, code: 'database_unavailable', error: 'Service Unavailable', message: /database/, requestId: String })
    t.same(Object.keys(failed.json()).sort(), ['code', 'error', 'message', 'requestId', 'statusCode'], 'the API error shape, nothing more')
    t.equal(failed.headers['retry-after'], '5')
    t.notMatch(failed.body, /57P01|terminat|administrator/, 'the driver error stays in the log')

    await release()
    await backendsGone(t, applicationName)
    t.ok(connectionFailures() >= 1, 'the lost connection is in the log')
    const answer = logs().find((line) => line.reqId === failed.json().requestId && line.code === 'database_unavailable')
    t.match(answer, { level: 40, cause: /terminat/ }, 'the 503 is a warning with the driver\'s reason, not an error with a stack')
    t.equal((await app.inject('/healthz')).statusCode, 200, 'the process is alive')
    const retry = await call('POST', '', { payload: { title: 'Survives' }, headers: { 'idempotency-key': key } })
    t.equal(retry.statusCode, 201, 'the next request succeeds on a fresh connection')
    t.equal(retry.headers['idempotent-replayed'], undefined, 'nothing was committed by the failed request')
    t.equal((await call('GET', '')).json().documents.length, 1)
    t.equal(await app.documents.count(org), 1)
  })

  t.test('backends terminated during a plain statement (updateDocument): 503, then the pool recovers', async (t) => {
    const { call, applicationName } = await editorApp(t)
    const doc = (await call('POST', '', { payload: { title: 'Locked' } })).json()
    const release = await holdInTransaction('select 1 from documents where id = $1 for update', [doc.id])
    const pending = call('PATCH', `/${doc.id}`, { payload: { body: 'edited' }, headers: { 'if-match': '"v1"' } })
    await waitFor(t, 'the app\'s update to wait on the row lock', () => waitingOnLock(applicationName))
    const terminated = await terminateBackends(applicationName)

    const failed = await pending
    t.equal(failed.statusCode, 503)
    t.equal(failed.json().code, 'database_unavailable')
    t.equal(failed.headers['retry-after'], '5')

    t.ok(terminated >= 1)
    await release()
    await backendsGone(t, applicationName)
    const retry = await call('PATCH', `/${doc.id}`, { payload: { body: 'edited' }, headers: { 'if-match': '"v1"' } })
    t.equal(retry.statusCode, 200)
    t.equal(retry.json().version, 2)
  })

  /** A pool of the test's that the app uses as it is (not closing it on close), so the test can end it. */
  async function ownDatabase (t: Test): Promise<Database> {
    const database = await openDatabase({ url: POSTGRES_URL })
    let closed = false
    t.teardown(async () => { if (!closed) await database.close() })
    return { ...database, close: async () => { closed = true; await database.close() } }
  }

  t.test('a database that is gone: the documents routes answer 503 database_unavailable', async (t) => {
    const database = await ownDatabase(t)
    const { call } = await editorApp(t, { database })
    t.equal((await call('GET', '')).statusCode, 200)
    await database.close()
    const responses = [await call('GET', ''), await call('POST', '', { payload: { title: 'x' } }), await call('POST', '', { payload: { title: 'x' }, headers: { 'idempotency-key': 'gone' } })]
    for (const response of responses) {
      t.equal(response.statusCode, 503)
      t.equal(response.json().code, 'database_unavailable')
      t.equal(response.headers['retry-after'], '5')
    }
  })

  t.test('/readyz names everything that is not ready, not only the first', async (t) => {
    const emulator = await startTestEmulator(t)
    await emulatorPost(emulator, 'emulator/faults', { down: 'reset' })
    const database = await ownDatabase(t)
    const { app } = await buildApp(t, { emulator, database, loadKeys: false, env: { STYTCH_TIMEOUT_MS: '500' } })
    t.match((await app.inject('/readyz')).json(), { code: 'not_ready', message: 'Not ready: Stytch signing keys not loaded yet' })
    await database.close()
    const ready = await app.inject('/readyz')
    t.equal(ready.statusCode, 503)
    t.equal(ready.headers['retry-after'], '5')
    t.match(ready.json(), { code: 'not_ready', message: 'Not ready: Stytch signing keys not loaded yet; the database does not answer' })
    await emulatorPost(emulator, 'emulator/faults', undefined, 'DELETE')
    await app.stytch.jwks.refresh()
    t.match((await app.inject('/readyz')).json(), { code: 'not_ready', message: 'Not ready: the database does not answer' })
  })
}
