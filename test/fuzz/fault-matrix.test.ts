import t from 'tap'
import { formatMatrix, runFaultMatrix } from '../../scripts/lib/fault-matrix.js'

/**
 * The CI version of `npm run fault-matrix` (scripts/fault-matrix.ts, issue 14): a representative
 * subset of faults × route families. In every cell: no 5xx but deliberate 503s, no 401 for a valid
 * session, no 2xx for a revoked one, every error in the API's shape.
 */
const FAULTS = ['none', 'http-500', 'reset', 'key-rotation', 'database-down']
const FAMILIES = ['getMe-jwt', 'getMe-slow', 'members', 'documents', 'sessions']

t.test(`fault matrix: ${FAULTS.join(', ')} × ${FAMILIES.join(', ')}`, async (t) => {
  const cells = await runFaultMatrix({ faults: FAULTS, families: FAMILIES })
  t.comment(formatMatrix(cells))
  t.equal(cells.length, FAULTS.length * FAMILIES.length, 'every cell ran')
  for (const cell of cells) {
    const where = `${cell.fault} × ${cell.family}`
    const findings = cell.findings.filter((f) => !f.endsWith('(info)'))
    t.equal(cell.serverErrors, 0, `${where}: no 5xx but deliberate 503s`, { findings })
    t.equal(cell.falseUnauthorized, 0, `${where}: no valid session answered 401`, { findings })
    t.equal(cell.failOpen, 0, `${where}: no revoked session answered 2xx`, { findings })
    t.equal(cell.shapeErrors, 0, `${where}: every error in the API shape`, { findings })
  }
  const cell = (fault: string, family: string) => cells.find((c) => c.fault === fault && c.family === family)
  for (const family of FAMILIES) {
    t.match(cell('none', family), { valid503: 0, validOther: 0 }, `baseline: every valid ${family} probe succeeds (the probes are sound)`)
  }
  t.match(cell('http-500', 'getMe-jwt'), { valid503: 0, validOther: 0 }, 'Stytch failing: valid JWTs keep working (fast path)')
  t.match(cell('http-500', 'documents'), { valid503: 0, validOther: 0 }, 'Stytch failing: documents keep working with a JWT')
  t.match(cell('database-down', 'documents'), { validOk: 0, validOther: 0 }, 'database down: documents answer 503 database_unavailable')
  t.match(cell('database-down', 'getMe-jwt'), { valid503: 0, validOther: 0 }, 'database down: authentication is unaffected')
})
