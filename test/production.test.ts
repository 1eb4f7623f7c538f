import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import t from 'tap'

// What the Docker image does (clean copy, npm ci, build, prune, node on dist) and that it serves
// /healthz and /readyz; there is no Docker engine on this machine kind to build the image itself.
t.test('the production build starts from a clean copy with production dependencies only', { timeout: 300_000 }, async (t) => {
  const { stdout } = await promisify(execFile)('bash', ['scripts/production-smoke.sh'], { timeout: 240_000 })
  t.match(stdout, /production smoke: ok/)
})
