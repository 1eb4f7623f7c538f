import type { Database } from './database.js'

export interface Migration {
  id: string
  sql: string
}

/**
 * Applied in order, each once. One statement per migration: PGlite's query() uses the
 * extended protocol, which refuses several statements in one string.
 * Never edit an applied migration; append a new one.
 */
export const migrations: readonly Migration[] = [
  {
    id: '0001_documents',
    sql: `create table documents (
      id uuid primary key default gen_random_uuid(),
      organization_id text not null,
      title text not null,
      body text not null,
      version integer not null default 1,
      created_by text not null,
      updated_by text not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`
  },
  {
    id: '0002_documents_organization_created_index',
    // Serves the keyset pagination of a list: where organization_id = $ and (created_at, id) > $.
    sql: 'create index documents_organization_created_idx on documents (organization_id, created_at, id)'
  },
  {
    id: '0003_idempotency_keys',
    // The key row is inserted before its document, to claim the key first (see documents.ts),
    // hence the deferred check. Deleting a document forgets its keys: a retry then creates anew.
    sql: `create table idempotency_keys (
      organization_id text not null,
      key text not null,
      request_hash text not null,
      document_id uuid not null references documents (id) on delete cascade deferrable initially deferred,
      created_at timestamptz not null default now(),
      primary key (organization_id, key)
    )`
  },
  {
    id: '0004_idempotency_keys_document_index',
    // Lets the cascade on document delete find the keys without a scan.
    sql: 'create index idempotency_keys_document_idx on idempotency_keys (document_id)'
  },
  {
    id: '0005_session_devices',
    // The device a session was seen from (Stytch's session object has none of it): written at
    // login and on the slow path, one row per session, deleted when the session ends.
    sql: `create table session_devices (
      member_session_id text primary key,
      organization_id text not null,
      member_id text not null,
      ip text,
      user_agent text,
      browser text,
      os text,
      first_seen timestamptz not null default now(),
      last_seen timestamptz not null default now()
    )`
  },
  {
    id: '0006_session_devices_member_index',
    // Serves listing and pruning a member's devices (listSessions, member removed).
    sql: 'create index session_devices_member_idx on session_devices (organization_id, member_id)'
  },
  {
    id: '0007_audit_events',
    // Security events per organization. details holds no secret (src/db/audit.ts scrubs it).
    sql: `create table audit_events (
      id uuid primary key default gen_random_uuid(),
      organization_id text not null,
      type text not null,
      actor_member_id text,
      target_member_id text,
      target_session_id text,
      ip text,
      user_agent text,
      request_id text,
      details jsonb not null default '{}'::jsonb,
      created_at timestamptz not null default now()
    )`
  },
  {
    id: '0008_audit_events_organization_created_index',
    // Serves the newest-first keyset pagination: where organization_id = $ and (created_at, id) < $.
    sql: 'create index audit_events_organization_created_idx on audit_events (organization_id, created_at desc, id desc)'
  }
]

/** Arbitrary constant naming "this app migrates its schema" among advisory locks on the server. */
const MIGRATION_LOCK_ID = 4_276_215_530_114

/**
 * Applies the pending migrations in one transaction. The advisory lock makes processes that
 * start together (several replicas, parallel test files) migrate one after the other: the
 * later ones then find everything applied.
 */
export async function migrate (db: Database): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1::bigint)', [MIGRATION_LOCK_ID])
    await tx.query(`create table if not exists schema_migrations (
      id text primary key,
      applied_at timestamptz not null default now()
    )`)
    const { rows } = await tx.query<{ id: string }>('select id from schema_migrations')
    const applied = new Set(rows.map((row) => row.id))
    for (const migration of migrations) {
      if (applied.has(migration.id)) continue
      await tx.query(migration.sql)
      await tx.query('insert into schema_migrations (id) values ($1)', [migration.id])
    }
  })
}
