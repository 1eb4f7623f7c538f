import { createHash, randomUUID } from 'node:crypto'
import type { Document, DocumentInput, DocumentPage, DocumentPatch } from '../schemas/document.js'
import { decodeCursor, encodeCursor, EXACT_CREATED_AT_SQL } from './cursor.js'
import type { Database, Queryable } from './database.js'
import { IdempotencyKeyReusedError } from './errors.js'
import { isUuid } from './uuid.js'

export { IdempotencyKeyReusedError, InvalidCursorError } from './errors.js'
/** The store's shapes are the API's schemas: a document as the API shows it (ISO-8601 timestamps). */
export type { Document, DocumentInput, DocumentPage, DocumentPatch } from '../schemas/document.js'

type DocumentRow = Omit<Document, 'created_at' | 'updated_at'> & { created_at: Date, updated_at: Date }

const COLUMNS = 'id, organization_id, title, body, version, created_by, updated_by, created_at, updated_at'
const MAX_VERSION = 2_147_483_647 // the version column is an integer

const toDocument = (row: DocumentRow): Document => ({
  ...row,
  created_at: row.created_at.toISOString(),
  updated_at: row.updated_at.toISOString()
})

/** A version the column can hold; anything else matches no row (and would be a DB error). */
const isStorableVersion = (version: number): boolean =>
  Number.isInteger(version) && version >= 1 && version <= MAX_VERSION

/**
 * The versions a conditional write accepts (the versions of its If-Match entity tags), or 'any'
 * (`If-Match: *`: whatever version is current, as long as the document exists).
 */
export type ExpectedVersion = number | readonly number[] | 'any'

/** The SQL condition on `version` (parameter $3) and its value, or null when no stored version can match. */
function versionCondition (expected: ExpectedVersion): { sql: string, params: unknown[], name: string } | null {
  if (expected === 'any') return { sql: '', params: [], name: '.any' }
  const versions = (typeof expected === 'number' ? [expected] : expected).filter(isStorableVersion)
  if (versions.length === 0) return null
  return versions.length === 1
    ? { sql: ' and version = $3', params: [versions[0]], name: '' }
    : { sql: ' and version = any($3::int[])', params: [versions], name: '.list' }
}

/** Keys are sorted and extra properties ignored, so the same title and body hash the same. */
const hashCreateRequest = (input: DocumentInput): string =>
  createHash('sha256').update(JSON.stringify({ body: input.body, title: input.title })).digest('hex')

async function insertDocument (db: Queryable, id: string, organizationId: string, input: DocumentInput, actorMemberId: string): Promise<Document> {
  const { rows: [row] } = await db.query<DocumentRow>(
    `insert into documents (id, organization_id, title, body, created_by, updated_by)
     values ($1, $2, $3, $4, $5, $5) returning ${COLUMNS}`,
    [id, organizationId, input.title, input.body, actorMemberId]
  )
  if (row === undefined) throw new Error('insert into documents returned no row')
  return toDocument(row)
}

/** The hot reads and writes are prepared statements (named: parsed and planned once per connection). */
const SELECT_DOCUMENT = `select ${COLUMNS} from documents where organization_id = $1 and id = $2`
const SELECT_PAGE = `select ${COLUMNS}, ${EXACT_CREATED_AT_SQL} as exact_created_at from documents
         where organization_id = $1
         order by created_at, id limit $2`
const SELECT_PAGE_AFTER = `select ${COLUMNS}, ${EXACT_CREATED_AT_SQL} as exact_created_at from documents
         where organization_id = $1 and (created_at, id) > ($3::timestamptz, $4::uuid)
         order by created_at, id limit $2`
async function findDocument (db: Queryable, organizationId: string, id: string): Promise<Document | null> {
  if (!isUuid(id)) return null
  const { rows: [row] } = await db.query<DocumentRow>(SELECT_DOCUMENT, [organizationId, id], 'documents.get')
  return row === undefined ? null : toDocument(row)
}

/** Tells why a conditional write matched nothing: the row is absent, or its version moved on. */
async function missOutcome (db: Queryable, organizationId: string, id: string): Promise<'not_found' | 'version_mismatch'> {
  const { rowCount } = await db.query('select 1 from documents where organization_id = $1 and id = $2', [organizationId, id])
  return rowCount === 0 ? 'not_found' : 'version_mismatch'
}

/**
 * Creates under an Idempotency-Key in one transaction. Claiming the key comes first: with
 * ON CONFLICT DO NOTHING, a concurrent request with the same key waits for the claimant's
 * commit and then reads its row, so exactly one document is created.
 */
async function createIdempotently (tx: Queryable, organizationId: string, input: DocumentInput, actorMemberId: string, key: string) {
  const requestHash = hashCreateRequest(input)
  // A second round is needed only if the stored key vanished in between (its document was deleted).
  for (let attempt = 0; attempt < 3; attempt++) {
    const id = randomUUID()
    const claim = await tx.query(
      `insert into idempotency_keys (organization_id, key, request_hash, document_id)
       values ($1, $2, $3, $4) on conflict do nothing`,
      [organizationId, key, requestHash, id]
    )
    if (claim.rowCount === 1) {
      return { document: await insertDocument(tx, id, organizationId, input, actorMemberId), replayed: false }
    }
    const { rows: [stored] } = await tx.query<{ request_hash: string, document_id: string }>(
      'select request_hash, document_id from idempotency_keys where organization_id = $1 and key = $2',
      [organizationId, key]
    )
    if (stored === undefined) continue
    if (stored.request_hash !== requestHash) throw new IdempotencyKeyReusedError()
    const document = await findDocument(tx, organizationId, stored.document_id)
    if (document !== null) return { document, replayed: true }
  }
  throw new Error('Idempotency key kept changing under concurrent deletes; retry the request')
}

/** Documents of one organization at a time: every statement filters on organization_id. */
export function createDocumentsRepository (db: Database) {
  return {
    /** Keyset pagination in (created_at, id) order; the cursor is opaque to clients. */
    async list (organizationId: string, options: { limit: number, cursor?: string }): Promise<DocumentPage> {
      const { limit, cursor } = options
      if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`)
      const after = cursor === undefined ? null : decodeCursor(cursor)
      const { rows } = after === null
        ? await db.query<DocumentRow & { exact_created_at: string }>(SELECT_PAGE, [organizationId, limit + 1], 'documents.page')
        : await db.query<DocumentRow & { exact_created_at: string }>(SELECT_PAGE_AFTER, [organizationId, limit + 1, after.createdAt, after.id], 'documents.page-after')
      // One row more than asked says whether another page exists.
      const page = rows.slice(0, limit)
      const last = page.at(-1)
      const nextCursor = rows.length > limit && last !== undefined
        ? encodeCursor({ createdAt: last.exact_created_at, id: last.id })
        : null
      return { documents: page.map(({ exact_created_at: _, ...row }) => toDocument(row)), next_cursor: nextCursor }
    },

    async get (organizationId: string, id: string): Promise<Document | null> {
      return findDocument(db, organizationId, id)
    },

    async create (organizationId: string, input: DocumentInput, actorMemberId: string, idempotencyKey?: string): Promise<{ document: Document, replayed: boolean }> {
      if (idempotencyKey === undefined) {
        return { document: await insertDocument(db, randomUUID(), organizationId, input, actorMemberId), replayed: false }
      }
      return db.transaction((tx) => createIdempotently(tx, organizationId, input, actorMemberId, idempotencyKey))
    },

    /**
     * One conditional UPDATE: under concurrency the row lock makes the losers re-check the
     * version after the winner commits, so they match nothing and no update is lost.
     */
    async update (organizationId: string, id: string, patch: DocumentPatch, expectedVersion: ExpectedVersion, actorMemberId: string): Promise<Document | 'not_found' | 'version_mismatch'> {
      if (!isUuid(id)) return 'not_found'
      const condition = versionCondition(expectedVersion)
      if (condition === null) return missOutcome(db, organizationId, id)
      // Parameters $1, $2, then the patch; the version condition, if any, is the last one.
      const last = condition.params.length === 0 ? '' : condition.sql.replace('$3', '$6')
      const { rows: [row] } = await db.query<DocumentRow>(
        `update documents
         set title = coalesce($3, title), body = coalesce($4, body), version = version + 1,
             updated_by = $5, updated_at = now()
         where organization_id = $1 and id = $2${last}
         returning ${COLUMNS}`,
        [organizationId, id, patch.title ?? null, patch.body ?? null, actorMemberId, ...condition.params],
        // One prepared statement per shape of the version condition (one version, a list, any).
        `documents.update${condition.name}`
      )
      return row === undefined ? missOutcome(db, organizationId, id) : toDocument(row)
    },

    async delete (organizationId: string, id: string, expectedVersion: ExpectedVersion): Promise<'deleted' | 'not_found' | 'version_mismatch'> {
      if (!isUuid(id)) return 'not_found'
      const condition = versionCondition(expectedVersion)
      if (condition === null) return missOutcome(db, organizationId, id)
      const { rowCount } = await db.query(
        `delete from documents where organization_id = $1 and id = $2${condition.sql}`,
        [organizationId, id, ...condition.params]
      )
      return rowCount === 1 ? 'deleted' : missOutcome(db, organizationId, id)
    },

    async count (organizationId: string): Promise<number> {
      // count(*) is a bigint, which node-postgres returns as a string; the cast keeps a number.
      const { rows: [row] } = await db.query<{ count: number }>(
        'select count(*)::int as count from documents where organization_id = $1',
        [organizationId]
      )
      return row?.count ?? 0
    }
  }
}

export type DocumentsRepository = ReturnType<typeof createDocumentsRepository>
