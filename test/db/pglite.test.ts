import t from 'tap'
import { openDatabase } from '../../src/db/database.js'
import { migrate } from '../../src/db/migrations.js'
import { storageSuite } from './storage-suite.js'

// One in-memory PGlite for the whole file: it takes seconds to start.
const db = await openDatabase({ dataDir: 'memory://' })
t.teardown(() => db.close())
t.equal(db.kind, 'pglite')
await migrate(db)

storageSuite(t, db)
