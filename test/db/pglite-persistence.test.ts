import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { openDatabase } from '../../src/db/database.js'
import { createDocumentsRepository } from '../../src/db/documents.js'
import { migrate } from '../../src/db/migrations.js'

t.test('PGlite keeps data in dataDir across close and reopen', async (t) => {
  const parent = await mkdtemp(join(tmpdir(), 'pglite-'))
  t.teardown(() => rm(parent, { recursive: true, force: true }))
  // A nested path that does not exist yet: openDatabase creates it.
  const dataDir = join(parent, 'data', 'db')

  const first = await openDatabase({ dataDir })
  await migrate(first)
  const { document } = await createDocumentsRepository(first).create('organization-persist', { title: 'kept', body: 'b' }, 'member-a', 'key-1')
  await first.close()

  const reopened = await openDatabase({ dataDir })
  t.teardown(() => reopened.close())
  await migrate(reopened)
  const documents = createDocumentsRepository(reopened)
  t.same(await documents.get('organization-persist', document.id), document)
  const retry = await documents.create('organization-persist', { title: 'kept', body: 'b' }, 'member-a', 'key-1')
  t.equal(retry.replayed, true, 'idempotency keys persist too')
})
