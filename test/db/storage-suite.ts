import { randomUUID } from 'node:crypto'
import type { Test } from 'tap'
import type { Database } from '../../src/db/database.js'
import { createDocumentsRepository, IdempotencyKeyReusedError, InvalidCursorError, type Document } from '../../src/db/documents.js'
import { migrate, migrations } from '../../src/db/migrations.js'

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
}
