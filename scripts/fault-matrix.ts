// `npm run fault-matrix` (issue 14): every fault the embedded Stytch emulator can inject, a key
// rotation after a junk kid, and the app's database closed, × every route family, with valid and
// revoked sessions. Prints the matrix; exits 1 on any 5xx other than a deliberate 503, false 401,
// fail-open, or error body not in the API's shape.
//
//   npx tsx scripts/fault-matrix.ts [--faults a,b] [--families x,y]
import { parseArgs } from 'node:util'
import { formatMatrix, matrixFailures, runFaultMatrix } from './lib/fault-matrix.js'

const { values } = parseArgs({ options: { faults: { type: 'string' }, families: { type: 'string' } } })
const started = Date.now()
const cells = await runFaultMatrix({
  ...(values.faults === undefined ? {} : { faults: values.faults.split(',') }),
  ...(values.families === undefined ? {} : { families: values.families.split(',') }),
  onCell: (c) => { process.stderr.write(`  ${c.fault} × ${c.family}: ${c.probes} probes\n`) }
})
process.stdout.write(`\n${formatMatrix(cells)}\n\n(${((Date.now() - started) / 1000).toFixed(0)} s, database ${process.env.DATABASE_URL === undefined ? 'PGlite (in memory)' : 'PostgreSQL (DATABASE_URL)'})\n`)
const failures = matrixFailures(cells)
if (failures.length > 0) {
  process.stdout.write(`\nFAILED:\n${failures.map((f) => `  ${f}`).join('\n')}\n`)
  process.exit(1)
}
process.stdout.write('\nOK: 0 5xx other than deliberate 503s, 0 false 401s, 0 fail-open\n')
process.exit(0)
