import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import t from 'tap'

// openapi.yaml must pass `redocly lint` (recommended rules, adjusted in .redocly.yaml) with no
// error and no warning. Redocly CLI 2 only finds `redocly.yaml` by itself: the config is passed.
const root = fileURLToPath(new URL('../../', import.meta.url))
const cli = fileURLToPath(new URL('../../node_modules/.bin/redocly', import.meta.url))

interface LintReport {
  totals: { errors: number, warnings: number, ignored: number }
  problems: Array<{ ruleId: string, severity: string, message: string, location: Array<{ pointer?: string }> }>
}

t.test('openapi.yaml passes redocly lint with zero errors and zero warnings', async (t) => {
  let stdout: string
  try {
    ({ stdout } = await promisify(execFile)(cli, ['lint', 'openapi.yaml', '--config', '.redocly.yaml', '--format=json'], {
      cwd: root,
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
      maxBuffer: 16 * 1024 * 1024
    }))
  } catch (err) {
    // lint exits non-zero on errors; its JSON report is still on stdout.
    stdout = (err as { stdout?: string }).stdout ?? ''
    if (stdout === '') throw err
  }
  const report = JSON.parse(stdout.slice(stdout.indexOf('{'))) as LintReport
  const problems = report.problems.map((p) => `${p.severity} ${p.ruleId} at ${p.location[0]?.pointer ?? '?'}: ${p.message}`)
  t.same(problems, [], 'no problems')
  t.equal(report.totals.errors, 0, 'no errors')
  t.equal(report.totals.warnings, 0, 'no warnings')
  t.equal(report.totals.ignored, 0, 'nothing ignored through a lint-ignore file')
})
