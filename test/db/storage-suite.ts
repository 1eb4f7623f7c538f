import { randomUUID } from 'node:crypto'
import type { Test } from 'tap'
import type { Database } from '../../src/db/database.js'
import { createDocumentsRepository, IdempotencyKeyReusedError, InvalidCursorError, type Document } from '../../src/db/documents.js'
import { migrate, migrations } from '../../src/db/migrations.js'
import { createAuditRepository, scrubDetails, type NewAuditEvent } from '../../src/db/audit.js'
import { createDevicesRepository } from '../../src/db/devices.js'

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

/** The storage behaviour both backends must share; db is open and migrated. */
export function storageSuite (t: Test, db: Database): void {
  const documents = createDocumentsRepository(db)

  /**
   * Each test works in its own organization, so runs sharing one PostgreSQL database never
   * collide; its rows are removed afterwards (their idempotency keys go by cascade).
   */
  function freshOrganization (t: Test): string {
    const organizationId = `organization-test-${randomUUID()}`
    t.teardown(() => db.query('delete from documents where organization_id = $1', [organizationId]))
    return organizationId
  }

  async function listAll (organizationId: string, limit: number) {
    const seen: Document[] = []
    let cursor: string | undefined
    let pages = 0
    do {
      const page = await documents.list(organizationId, cursor === undefined ? { limit } : { limit, cursor })
      seen.push(...page.documents)
      cursor = page.next_cursor ?? undefined
      pages++
    } while (cursor !== undefined && pages < 100)
    return { seen, pages }
  }

  t.test('migrating again is a no-op', async (t) => {
    const before = await db.query('select id, applied_at from schema_migrations order by id')
    await migrate(db)
    const after = await db.query('select id, applied_at from schema_migrations order by id')
    t.same(after.rows, before.rows)
    t.same(after.rows.map((row) => row.id), migrations.map((migration) => migration.id))
  })

  t.test('create, get, update, delete', async (t) => {
    const organizationId = freshOrganization(t)
    const { document: created, replayed } = await documents.create(organizationId, { title: 'Plan', body: 'v1' }, 'member-a')
    t.equal(replayed, false)
    t.match(created, { organization_id: organizationId, title: 'Plan', body: 'v1', version: 1, created_by: 'member-a', updated_by: 'member-a' })
    t.match(created.created_at, ISO_8601)
    t.equal(created.updated_at, created.created_at)
    t.same(await documents.get(organizationId, created.id), created)
    t.equal(await documents.count(organizationId), 1)

    const updated = await documents.update(organizationId, created.id, { title: 'Plan B' }, 1, 'member-b')
    if (typeof updated === 'string') throw new Error(`update failed: ${updated}`)
    t.match(updated, { id: created.id, title: 'Plan B', body: 'v1', version: 2, created_by: 'member-a', updated_by: 'member-b', created_at: created.created_at })
    t.ok(updated.updated_at >= created.updated_at)
    const bodyOnly = await documents.update(organizationId, created.id, { body: 'v2' }, 2, 'member-b')
    t.match(bodyOnly, { title: 'Plan B', body: 'v2', version: 3 })

    t.equal(await documents.delete(organizationId, created.id, 3), 'deleted')
    t.equal(await documents.get(organizationId, created.id), null)
    t.equal(await documents.delete(organizationId, created.id, 3), 'not_found')
    t.equal(await documents.update(organizationId, created.id, { title: 'x' }, 3, 'member-b'), 'not_found')
    t.equal(await documents.count(organizationId), 0)
  })

  t.test('malformed ids and versions are answers, not database errors', async (t) => {
    const organizationId = freshOrganization(t)
    const { document } = await documents.create(organizationId, { title: 't', body: 'b' }, 'member-a')
    t.equal(await documents.get(organizationId, 'not-a-uuid'), null)
    t.equal(await documents.get(organizationId, randomUUID()), null)
    t.equal(await documents.update(organizationId, "1' or '1'='1", {}, 1, 'member-a'), 'not_found')
    t.equal(await documents.delete(organizationId, 'nope', 1), 'not_found')
    for (const version of [Number.NaN, 1.5, 0, -1, 2 ** 31]) {
      t.equal(await documents.update(organizationId, document.id, {}, version, 'member-a'), 'version_mismatch', `version ${version}`)
      t.equal(await documents.delete(organizationId, document.id, version), 'version_mismatch', `version ${version}`)
    }
  })

  t.test('conditional writes on a set of versions, or on any current one (If-Match lists and *)', async (t) => {
    const organizationId = freshOrganization(t)
    const { document } = await documents.create(organizationId, { title: 't', body: 'b' }, 'member-a')
    t.equal(await documents.update(organizationId, document.id, { title: 'x' }, [3, 4], 'member-a'), 'version_mismatch', 'none of the listed versions')
    t.equal(await documents.update(organizationId, document.id, { title: 'x' }, [0, Number.NaN], 'member-a'), 'version_mismatch', 'no storable version listed')
    const listed = await documents.update(organizationId, document.id, { title: 'two' }, [5, 1], 'member-a')
    t.match(listed, { version: 2, title: 'two' }, 'one listed version is current')
    const any = await documents.update(organizationId, document.id, { title: 'three' }, 'any', 'member-b')
    t.match(any, { version: 3, title: 'three', updated_by: 'member-b' }, 'any current version')
    t.equal(await documents.delete(organizationId, document.id, [1, 2]), 'version_mismatch')
    t.equal(await documents.delete(organizationId, document.id, 'any'), 'deleted')
    t.equal(await documents.delete(organizationId, document.id, 'any'), 'not_found', 'any version of nothing')
    t.equal(await documents.update(organizationId, document.id, {}, 'any', 'member-a'), 'not_found')
  })

  t.test('another organization never sees or changes a document', async (t) => {
    const owner = freshOrganization(t)
    const other = freshOrganization(t)
    const { document } = await documents.create(owner, { title: 'secret', body: 'b' }, 'member-a')
    t.equal(await documents.get(other, document.id), null)
    t.equal(await documents.update(other, document.id, { title: 'pwned' }, 1, 'member-x'), 'not_found')
    t.equal(await documents.delete(other, document.id, 1), 'not_found')
    t.same(await documents.list(other, { limit: 10 }), { documents: [], next_cursor: null })
    t.equal(await documents.count(other), 0)
    t.same(await documents.get(owner, document.id), document)
  })

  t.test('pagination with limit 2 over 5 documents: no duplicates, no gaps, stable order', async (t) => {
    const organizationId = freshOrganization(t)
    const created: Document[] = []
    for (let i = 0; i < 5; i++) {
      created.push((await documents.create(organizationId, { title: `doc ${i}`, body: '' }, 'member-a')).document)
    }
    await documents.create(freshOrganization(t), { title: 'elsewhere', body: '' }, 'member-a')

    const { seen, pages } = await listAll(organizationId, 2)
    t.equal(pages, 3)
    t.same(seen.map((d) => d.id).sort(), created.map((d) => d.id).sort(), 'every document exactly once')
    // Compared in SQL: the timestamps in a Document stop at milliseconds, the stored ones do not.
    const inOrder = await db.query<{ id: string }>('select id from documents where organization_id = $1 order by created_at, id', [organizationId])
    t.same(seen.map((d) => d.id), inOrder.rows.map((row) => row.id), 'ordered by (created_at, id)')
    t.same(seen, (await documents.list(organizationId, { limit: 10 })).documents, 'pages join into the one-page list')
    t.same((await listAll(organizationId, 2)).seen, seen, 'same order on a second walk')
    t.same((await documents.list(organizationId, { limit: 5 })).next_cursor, null, 'no cursor after the last page')
  })

  t.test('pagination when timestamps tie or differ by microseconds', async (t) => {
    const organizationId = freshOrganization(t)
    // One statement: now() is the same for every row, so only the id orders them.
    await db.query(`insert into documents (organization_id, title, body, created_by, updated_by)
      select $1, 'tie ' || n, '', 'member-a', 'member-a' from generate_series(1, 4) as n`, [organizationId])
    // Within one millisecond, which a JS Date cannot tell apart.
    for (const micros of ['100', '200', '300']) {
      await db.query(`insert into documents (organization_id, title, body, created_by, updated_by, created_at)
        values ($1, $2, '', 'member-a', 'member-a', $3::timestamptz)`, [organizationId, `micro ${micros}`, `2000-01-01T00:00:00.000${micros}Z`])
    }
    for (const limit of [1, 2, 3]) {
      const { seen } = await listAll(organizationId, limit)
      t.equal(seen.length, 7, `limit ${limit}: all documents`)
      t.equal(new Set(seen.map((d) => d.id)).size, 7, `limit ${limit}: no duplicates`)
      t.same(seen.slice(0, 3).map((d) => d.title), ['micro 100', 'micro 200', 'micro 300'])
    }
  })

  t.test('a malformed cursor is rejected with InvalidCursorError', async (t) => {
    const organizationId = freshOrganization(t)
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
    const valid = encode(['2024-05-01T10:00:00.123456Z', randomUUID()])
    const malformed = [
      'not a cursor!', '', valid.slice(0, -3), encode({}), encode(['x', 'y']),
      encode(['2024-02-30T10:00:00.123456Z', randomUUID()]), encode(['2024-05-01T10:00:00.123456Z', 'not-a-uuid'])
    ]
    for (const cursor of malformed) {
      await t.rejects(documents.list(organizationId, { limit: 2, cursor }), InvalidCursorError, `cursor ${JSON.stringify(cursor)}`)
    }
    t.same(await documents.list(organizationId, { limit: 2, cursor: valid }), { documents: [], next_cursor: null })
    await t.rejects(documents.list(organizationId, { limit: 0 }), RangeError)
  })

  t.test('idempotent create: a retry replays, a different request is refused', async (t) => {
    const organizationId = freshOrganization(t)
    const first = await documents.create(organizationId, { title: 'Once', body: 'b' }, 'member-a', 'key-1')
    const retry = await documents.create(organizationId, { body: 'b', title: 'Once' }, 'member-a', 'key-1')
    t.equal(first.replayed, false)
    t.equal(retry.replayed, true)
    t.same(retry.document, first.document)
    await t.rejects(documents.create(organizationId, { title: 'Once', body: 'changed' }, 'member-a', 'key-1'), IdempotencyKeyReusedError)
    t.equal(await documents.count(organizationId), 1)

    const otherOrganization = freshOrganization(t)
    const elsewhere = await documents.create(otherOrganization, { title: 'Once', body: 'b' }, 'member-a', 'key-1')
    t.equal(elsewhere.replayed, false, 'keys are scoped to the organization')
    t.not(elsewhere.document.id, first.document.id)
  })

  t.test('idempotent create: deleting the document forgets its key', async (t) => {
    const organizationId = freshOrganization(t)
    const first = await documents.create(organizationId, { title: 't', body: 'b' }, 'member-a', 'key-gone')
    t.equal(await documents.delete(organizationId, first.document.id, 1), 'deleted')
    const again = await documents.create(organizationId, { title: 't', body: 'b' }, 'member-a', 'key-gone')
    t.equal(again.replayed, false)
    t.not(again.document.id, first.document.id)
  })

  t.test('10 concurrent creates with the same key create exactly one document', async (t) => {
    const organizationId = freshOrganization(t)
    const results = await Promise.all(Array.from({ length: 10 }, () =>
      documents.create(organizationId, { title: 'Race', body: 'b' }, 'member-a', 'race-key')))
    t.equal(new Set(results.map((r) => r.document.id)).size, 1, 'one document id')
    t.equal(results.filter((r) => !r.replayed).length, 1, 'one creation, the rest replays')
    t.equal(await documents.count(organizationId), 1)
  })

  t.test('10 concurrent updates with the same expected version: exactly one wins', async (t) => {
    const organizationId = freshOrganization(t)
    const { document } = await documents.create(organizationId, { title: 'v1', body: '' }, 'member-a')
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) =>
      documents.update(organizationId, document.id, { title: `writer ${i}` }, 1, `member-${i}`)))
    const winners = results.filter((r): r is Document => typeof r !== 'string')
    t.equal(winners.length, 1)
    t.equal(results.filter((r) => r === 'version_mismatch').length, 9)
    const stored = await documents.get(organizationId, document.id)
    t.equal(stored?.version, 2)
    t.equal(stored?.title, winners[0]?.title, 'the stored title is the winner\'s')
  })

  t.test('delete with a stale version is refused and keeps the document', async (t) => {
    const organizationId = freshOrganization(t)
    const { document } = await documents.create(organizationId, { title: 't', body: '' }, 'member-a')
    await documents.update(organizationId, document.id, { body: 'edited' }, 1, 'member-b')
    t.equal(await documents.delete(organizationId, document.id, 1), 'version_mismatch')
    t.equal((await documents.get(organizationId, document.id))?.version, 2)
    t.equal(await documents.delete(organizationId, document.id, 2), 'deleted')
  })

  t.test('a transaction that throws leaves nothing behind', async (t) => {
    const organizationId = freshOrganization(t)
    await t.rejects(db.transaction(async (tx) => {
      await tx.query(`insert into documents (organization_id, title, body, created_by, updated_by)
        values ($1, 't', 'b', 'member-a', 'member-a')`, [organizationId])
      throw new Error('abort')
    }), { message: 'abort' })
    t.equal(await documents.count(organizationId), 0)
    const value = await db.transaction(async (tx) => (await tx.query<{ n: number }>('select 41 + 1 as n')).rows[0]?.n)
    t.equal(value, 42)
  })

  const devices = createDevicesRepository(db)
  const audit = createAuditRepository(db)

  function freshAuditOrganization (t: Test): string {
    const organizationId = `organization-test-${randomUUID()}`
    t.teardown(() => db.query('delete from audit_events where organization_id = $1', [organizationId]))
    return organizationId
  }

  t.test('session devices: first sighting inserts, later ones move ip/agent/last_seen; listing prunes ended and too old sessions', async (t) => {
    const organizationId = `organization-test-${randomUUID()}`
    t.teardown(() => db.query('delete from session_devices where organization_id = $1', [organizationId]))
    const owner = (n: number) => ({ member_session_id: `session-test-${organizationId}-${n}`, organization_id: organizationId, member_id: 'member-test-a' })
    await devices.seen({ ...owner(1), ip: '203.0.113.1', user_agent: 'UA one', browser: 'Chrome 1', os: 'macOS 1' })
    await devices.seen({ ...owner(2), ip: null, user_agent: null, browser: null, os: null })
    const first = (await devices.forSessions(organizationId, 'member-test-a', [owner(1).member_session_id, owner(2).member_session_id], 3600)).get(owner(1).member_session_id)
    t.match(first, { ip: '203.0.113.1', user_agent: 'UA one', browser: 'Chrome 1', os: 'macOS 1' })
    t.match(first?.first_seen, ISO_8601)

    await devices.seen({ ...owner(1), ip: '198.51.100.2', user_agent: 'UA two', browser: 'Firefox 2', os: 'Linux' })
    const again = (await devices.forSessions(organizationId, 'member-test-a', [owner(1).member_session_id, owner(2).member_session_id], 3600)).get(owner(1).member_session_id)
    t.match(again, { ip: '198.51.100.2', user_agent: 'UA two', browser: 'Firefox 2', os: 'Linux', first_seen: first?.first_seen })
    t.ok((again?.last_seen ?? '') >= (first?.last_seen ?? ''), 'last_seen moves forward')

    await devices.seen({ ...owner(1), member_id: 'member-test-other', ip: '192.0.2.9', user_agent: null, browser: null, os: null })
    t.match((await devices.forSessions(organizationId, 'member-test-a', [owner(1).member_session_id], 3600)).get(owner(1).member_session_id), { ip: '198.51.100.2' },
      'a sighting naming another member does not take the row over')

    // Session 2 is no longer live: listing deletes its row.
    const live = await devices.forSessions(organizationId, 'member-test-a', [owner(1).member_session_id], 3600)
    t.same([...live.keys()], [owner(1).member_session_id])
    t.equal((await db.query('select 1 from session_devices where member_session_id = $1', [owner(2).member_session_id])).rowCount, 0)

    // A row first seen longer ago than any session lives is pruned, live or not.
    await db.query("update session_devices set first_seen = now() - interval '2 hours' where member_session_id = $1", [owner(1).member_session_id])
    t.equal((await devices.forSessions(organizationId, 'member-test-a', [owner(1).member_session_id], 3600)).size, 0)

    await devices.seen({ ...owner(3), ip: null, user_agent: null, browser: null, os: null })
    await devices.seen({ ...owner(4), ip: null, user_agent: null, browser: null, os: null })
    await devices.forget([owner(3).member_session_id])
    await devices.forget([])
    t.same([...(await devices.forSessions(organizationId, 'member-test-a', [owner(3).member_session_id, owner(4).member_session_id], 3600)).keys()], [owner(4).member_session_id])
    await db.query("update session_devices set first_seen = now() - interval '2 hours' where member_session_id = $1", [owner(4).member_session_id])
    t.ok(await devices.prune(3600) >= 1, 'the global prune deletes rows older than the longest session')
    await devices.seen({ ...owner(5), ip: null, user_agent: null, browser: null, os: null })
    await devices.forgetMember(organizationId, 'member-test-a')
    t.equal((await devices.forSessions(organizationId, 'member-test-a', [owner(5).member_session_id], 3600)).size, 0)
    t.equal((await devices.forSessions(organizationId, 'member-test-a', [], 3600)).size, 0)
  })

  const event = (organizationId: string, over: Partial<NewAuditEvent> = {}): NewAuditEvent => ({
    organization_id: organizationId,
    type: 'login',
    actor_member_id: 'member-test-a',
    target_member_id: 'member-test-a',
    target_session_id: 'session-test-1',
    ip: '203.0.113.1',
    user_agent: 'UA',
    request_id: 'req-1',
    details: {},
    ...over
  })

  t.test('audit events: newest first, keyset pages without repeats (ties on created_at broken by id), filters', async (t) => {
    const organizationId = freshAuditOrganization(t)
    const other = freshAuditOrganization(t)
    await audit.insert(event(other))
    // In one transaction now() is the same for every row: the id alone orders them.
    await db.transaction(async (tx) => {
      const inTx = createAuditRepository(tx)
      for (let i = 0; i < 5; i++) await inTx.insert(event(organizationId, { type: 'login', request_id: `tx-${i}` }))
    })
    const logout = await audit.insert(event(organizationId, { type: 'logout', actor_member_id: 'member-test-b' }))
    const roles = await audit.insert(event(organizationId, { type: 'role_changed', details: { old_roles: ['editor'], new_roles: ['viewer'] } }))

    const seen: string[] = []
    let cursor: string | undefined
    let pages = 0
    do {
      const page = await audit.list(organizationId, { limit: 2, ...(cursor === undefined ? {} : { cursor }) })
      seen.push(...page.events.map((e) => e.id))
      cursor = page.next_cursor ?? undefined
      pages++
    } while (cursor !== undefined && pages < 20)
    t.equal(pages, 4)
    t.equal(seen.length, 7)
    t.equal(new Set(seen).size, 7, 'no event twice')
    t.equal(seen[0], roles.id, 'newest first')
    t.equal(seen[1], logout.id)
    const all = (await audit.list(organizationId, { limit: 100 })).events
    t.same(all.map((e) => e.id), seen)
    t.ok(all.every((e) => e.organization_id === organizationId), 'only the organization\'s own')
    t.same(all[0]?.details, { old_roles: ['editor'], new_roles: ['viewer'] })
    t.match(all[0]?.created_at, ISO_8601)

    t.same((await audit.list(organizationId, { limit: 100, types: ['logout'] })).events.map((e) => e.id), [logout.id])
    t.equal((await audit.list(organizationId, { limit: 100, types: ['logout', 'role_changed'] })).events.length, 2)
    t.same((await audit.list(organizationId, { limit: 100, actor: 'member-test-b' })).events.map((e) => e.id), [logout.id])
    t.equal((await audit.list(organizationId, { limit: 100, since: logout.created_at })).events.length, 2, 'since is inclusive')
    t.equal((await audit.list(organizationId, { limit: 100, until: logout.created_at })).events.length, 5, 'until is exclusive')
    t.equal((await audit.list(organizationId, { limit: 100, since: '2000-01-01T00:00:00Z', until: '2000-01-02T00:00:00Z' })).events.length, 0)
    await t.rejects(audit.list(organizationId, { limit: 2, cursor: 'not-a-cursor' }), InvalidCursorError)
    await t.rejects(audit.list(organizationId, { limit: 0 }), RangeError)
  })

  t.test('audit details never keep a credential', async (t) => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJtZW1iZXIifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ'
    const token = 'Rk9PQkFSQkFaUVVYUVVVWFFVVVhRVVVYUVVVWFFVVVgxMjM0NTY3ODkw'
    const scrubbed = scrubDetails({
      session_token: token,
      session_jwt: jwt,
      password: 'x',
      cookie: 'y',
      pkce_code_verifier: 'z',
      nested: { a: jwt, list: [token, 'member-test-5d4c0c55-2a7e-4a1c-9a1e-1f6a7b7d9e01', 3, true, null], deep: { deeper: { deepest: { gone: 1 } } } },
      roles: ['editor'],
      fn: () => 1
    })
    t.same(scrubbed, {
      nested: { a: '[redacted]', list: ['[redacted]', 'member-test-5d4c0c55-2a7e-4a1c-9a1e-1f6a7b7d9e01', 3, true, null], deep: { deeper: {} } },
      roles: ['editor']
    })
    const organizationId = freshAuditOrganization(t)
    const stored = await audit.insert(event(organizationId, { details: { token, jwt, note: `a ${'long '.repeat(200)}` } }))
    t.notOk(JSON.stringify(stored).includes(token))
    t.notOk(JSON.stringify(stored).includes(jwt))
    t.equal((stored.details.note as string).length, 512, 'long strings are cut')
  })
}
