// The emulator's state file (src/emulator/persist.ts): a restart from the same data directory keeps
// organization ids, sessions (token and JWT), unused links and signing keys; a bad file is a clear error,
// never a silent reset. All through the real SDK, like the rest of the conformance suite.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { EmulatorStateFileError, startEmulator, STATE_FILE, type EmulatorOptions, type RunningEmulator } from '../../src/emulator/index.js'
import { createPersister } from '../../src/emulator/persist.js'
import { applySeed } from '../../src/emulator/seed.js'
import { control, lastMessage, login, newClient, orgId, outbox, rejectsStytch, type Harness } from './helper.js'

function dataDir (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'emulator-state-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** An emulator on `dir`, closed on teardown unless the test closes it first (close twice is harmless). */
async function persistent (t: Test, dir: string, options: EmulatorOptions = {}): Promise<Harness> {
  const emu = await startEmulator({ ...options, dataDir: dir })
  t.teardown(() => emu.close())
  return { emu, client: newClient(t, emu) }
}

async function rejectsStateFile (t: Test, dir: string, reason: RegExp, what: string): Promise<void> {
  const file = join(dir, STATE_FILE)
  const before = readFileSync(file)
  let error: unknown
  try {
    const emu = await startEmulator({ dataDir: dir })
    await emu.close()
  } catch (err) {
    error = err
  }
  t.ok(error instanceof EmulatorStateFileError, `${what}: an EmulatorStateFileError`)
  const message = (error as Error | undefined)?.message ?? ''
  t.match(message, file, `${what}: names the file`)
  t.match(message, reason, `${what}: says what is wrong`)
  t.match(message, /move it away to start a fresh emulator/, `${what}: says what to do`)
  t.same(readFileSync(file), before, `${what}: the file is left as it was`)
}

t.test('in memory by default: no state file, nothing restored', async (t) => {
  const emu = await startEmulator()
  t.teardown(() => emu.close())
  t.equal(emu.stateFile, undefined)
  t.equal(emu.restored, false)
  await emu.flush()
})

t.test('a restart from the same data directory keeps ids, sessions, JWTs, unused links and keys', async (t) => {
  const dir = dataDir(t)
  const first = await persistent(t, dir)
  t.equal(first.emu.restored, false, 'a fresh directory starts from the seed')
  t.equal(first.emu.stateFile, join(dir, STATE_FILE))
  t.equal(statSync(join(dir, STATE_FILE)).mode & 0o777, 0o600, 'written at start, readable by the owner only')
  const acme = await orgId(first, 'acme')
  const session = await login(first, 'editor@acme.test')
  await first.client.magicLinks.email.loginOrSignup({ organization_id: acme, email_address: 'viewer@acme.test' })
  const pending = await lastMessage(first.emu, 'viewer@acme.test')
  const used = await lastMessage(first.emu, 'editor@acme.test')
  const created = await first.client.organizations.create({ organization_name: 'Initech', organization_slug: 'initech' })
  const rotated = (await control(first.emu, 'POST', '/emulator/keys/rotate')).body as { kid: string, previous_kids: string[] }
  await control(first.emu, 'POST', '/emulator/config', { jwt_lifetime_seconds: 120 })
  const sent = (await outbox(first.emu)).length
  await first.emu.close()

  const second = await persistent(t, dir)
  t.equal(second.emu.restored, true, 'restored from the file')
  t.equal(await orgId(second, 'acme'), acme, 'the organization id is unchanged')
  t.equal((await second.client.organizations.get({ organization_id: 'initech' })).organization.organization_id,
    created.organization.organization_id, 'organizations made after the seed are kept')
  t.equal((await second.client.organizations.search({})).organizations.length, 3, 'the seed was not applied again')
  const byToken = await second.client.sessions.authenticate({ session_token: session.session_token })
  t.equal(byToken.member_session.member_session_id, session.member_session?.member_session_id, 'the session token still works')
  const byJwt = await second.client.sessions.authenticate({ session_jwt: session.session_jwt })
  t.equal(byJwt.member_session.member_session_id, session.member_session?.member_session_id, 'the JWT minted before the restart still verifies')
  t.same(await control(second.emu, 'GET', '/emulator/keys').then((r) => r.body), rotated, 'the same signing keys, current and previous')
  t.same((await control(second.emu, 'GET', '/emulator/config')).body, { clock_offset_seconds: 0, jwt_lifetime_seconds: 120 }, 'the run-time config')
  t.equal((await outbox(second.emu)).length, sent, 'the outbox')
  const viewer = await second.client.magicLinks.authenticate({ magic_links_token: pending.token })
  t.equal(viewer.member.email_address, 'viewer@acme.test', 'a link sent before the restart still logs in')
  await rejectsStytch(t, second.client.magicLinks.authenticate({ magic_links_token: used.token }),
    { status_code: 401, error_type: 'unable_to_auth_magic_link' }, 'a link used before the restart stays used')
})

t.test('changes are saved soon after the request, without waiting for close; atomically', async (t) => {
  const dir = dataDir(t)
  const h = await persistent(t, dir)
  const file = join(dir, STATE_FILE)
  const before = readFileSync(file, 'utf8')
  await h.client.organizations.create({ organization_name: 'Soon', organization_slug: 'soon' })
  const deadline = Date.now() + 5000
  while (readFileSync(file, 'utf8') === before && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
  t.match(readFileSync(file, 'utf8'), /"organization_slug":"soon"/, 'the new organization reached the file')
  t.same(readdirSync(dir), [STATE_FILE], 'no temporary file is left behind')
  const reads = readFileSync(file, 'utf8')
  await h.client.organizations.get({ organization_id: 'soon' })
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.equal(readFileSync(file, 'utf8'), reads, 'a GET does not rewrite the file')
})

t.test('POST /emulator/reset with a data directory: the fresh seed is what the next start sees', async (t) => {
  const dir = dataDir(t)
  const first = await persistent(t, dir)
  const acme = await orgId(first, 'acme')
  await control(first.emu, 'POST', '/emulator/reset')
  const reseeded = await orgId(first, 'acme')
  t.not(reseeded, acme, 'reset made a new acme')
  await first.emu.close()
  const second = await persistent(t, dir)
  t.equal(await orgId(second, 'acme'), reseeded)
  t.equal((await second.client.organizations.search({})).organizations.length, 2)
})

t.test('a truncated or partial state file is a clear error, not a silent reset', async (t) => {
  const dir = dataDir(t)
  const h = await persistent(t, dir)
  await login(h, 'viewer@acme.test')
  await h.emu.close()
  const file = join(dir, STATE_FILE)
  const good = readFileSync(file, 'utf8')
  const document = JSON.parse(good) as { state: Record<string, unknown>, keys: { current: Record<string, unknown> }, project_id: string, version: number }

  writeFileSync(file, good.slice(0, Math.floor(good.length / 2)))
  await rejectsStateFile(t, dir, /not valid JSON, perhaps cut short/, 'cut in half')
  writeFileSync(file, '')
  await rejectsStateFile(t, dir, /not valid JSON/, 'empty')
  writeFileSync(file, JSON.stringify({ hello: 'world' }))
  await rejectsStateFile(t, dir, /not an emulator state file/, 'some other JSON')
  writeFileSync(file, JSON.stringify({ ...document, version: 99 }))
  await rejectsStateFile(t, dir, /version 99/, 'a newer format')
  writeFileSync(file, JSON.stringify({ ...document, project_id: 'project-test-other' }))
  await rejectsStateFile(t, dir, /belongs to project project-test-other/, 'another project')
  const { sessions: _sessions, ...withoutSessions } = document.state
  writeFileSync(file, JSON.stringify({ ...document, state: withoutSessions }))
  await rejectsStateFile(t, dir, /"sessions" is missing/, 'a collection missing')
  writeFileSync(file, JSON.stringify({ ...document, state: { ...document.state, members: [['member-test-x', { name: 'half' }]] } }))
  await rejectsStateFile(t, dir, /"members": entry 0 \(member-test-x\) is not a complete record/, 'a broken record')
  writeFileSync(file, JSON.stringify({ ...document, state: { ...document.state, organizations: {} } }))
  await rejectsStateFile(t, dir, /"organizations": expected a list/, 'a collection of the wrong shape')
  writeFileSync(file, JSON.stringify({ ...document, keys: { ...document.keys, current: { ...document.keys.current, privateJwk: { kty: 'RSA' } } } }))
  await rejectsStateFile(t, dir, /"keys": signing key .* does not import/, 'a damaged signing key')
  writeFileSync(file, JSON.stringify({ ...document, keys: {} }))
  await rejectsStateFile(t, dir, /no "keys"/, 'no keys')

  writeFileSync(file, good)
  const again = await persistent(t, dir)
  t.equal(again.emu.restored, true, 'the repaired file loads')
})

t.test('an unreadable state file is an error too', async (t) => {
  const dir = dataDir(t)
  mkdirSync(join(dir, STATE_FILE))
  await t.rejects(startEmulator({ dataDir: dir }), { name: 'EmulatorStateFileError', message: /cannot be read/ })
})

t.test('a failed save is reported and thrown by flush; the next good save clears it', async (t) => {
  const dir = dataDir(t)
  const emu: RunningEmulator = await startEmulator()
  t.teardown(() => emu.close())
  const reported: string[] = []
  const persister = createPersister(emu.state, dir, 10, (err) => reported.push(err.message))
  mkdirSync(join(dir, STATE_FILE))
  await t.rejects(persister.flush(), /EISDIR|directory/i, 'flush throws the write error')
  persister.schedule()
  persister.schedule()
  await new Promise((resolve) => setTimeout(resolve, 100))
  t.equal(reported.length, 2, 'each failed save is reported once (two schedules in a burst are one save)')
  t.same(readdirSync(dir), [STATE_FILE], 'the temporary file is removed after a failed rename')
  rmSync(join(dir, STATE_FILE), { recursive: true })
  await persister.flush()
  t.match(readFileSync(join(dir, STATE_FILE), 'utf8'), /"format":"b2b-session-api\/emulator-state"/)
})

t.test('the seed never duplicates: applying it to a seeded state adds nothing', async (t) => {
  const emu = await startEmulator()
  t.teardown(() => emu.close())
  const before = [...emu.state.organizations.keys()]
  const members = emu.state.members.size
  applySeed(emu.state)
  t.same([...emu.state.organizations.keys()], before)
  t.equal(emu.state.members.size, members)
})
