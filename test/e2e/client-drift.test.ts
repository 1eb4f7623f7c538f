import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'

// The client package's types are committed (the package and the journey test compile against
// them): they must be what openapi-typescript makes of the committed openapi.yaml. Fix with
// `npm run client`.
t.test('client/src/api.d.ts is generated from openapi.yaml', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'client-'))
  t.teardown(async () => { await rm(dir, { recursive: true, force: true }) })
  const out = join(dir, 'api.d.ts')
  await promisify(execFile)('npx', ['openapi-typescript', 'openapi.yaml', '-o', out], { timeout: 60_000 })
  const committed = await readFile(new URL('../../client/src/api.d.ts', import.meta.url), 'utf8')
  t.equal(await readFile(out, 'utf8'), committed, 'run `npm run client`')
})
