// The client package as its users get it: compiled by `tsc -p client` (the same tsconfig as
// `npm run client:build`) into a directory of this test run's own — tap runs files in parallel, so
// no two builds share an output — inside the worktree, where `openapi-fetch` resolves as it does
// for an installed package. Removed when the test ends.
import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { readFile, rm } from 'node:fs/promises'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import type { Test } from 'tap'

export type ClientPackage = typeof import('../../client/src/index.js')

const root = fileURLToPath(new URL('../../', import.meta.url))
const tsc = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url))

/** Builds the package and imports the built entry point the package's `exports` name. */
export async function buildClientPackage (t: Test): Promise<ClientPackage> {
  const { dir, entry } = await buildClientFiles(t)
  return await import(pathToFileURL(`${dir}/${entry}`).href) as ClientPackage
}

/** Builds the package; the absolute directory of the built files and the entry file's name in it. */
export async function buildClientFiles (t: Test): Promise<{ dir: string, entry: string }> {
  const manifest = JSON.parse(await readFile(new URL('../../client/package.json', import.meta.url), 'utf8')) as { exports: { '.': { import: string } } }
  const entry = manifest.exports['.'].import
  if (!entry.startsWith('./dist/')) throw new Error(`client/package.json exports ${entry}, not a file under ./dist/`)
  const outDir = `client/.test-builds/${randomUUID()}`
  t.teardown(async () => { await rm(new URL(outDir, pathToFileURL(root)), { recursive: true, force: true }) })
  await promisify(execFile)(process.execPath, [tsc, '-p', 'client', '--outDir', outDir], { cwd: root, timeout: 120_000 })
  return { dir: `${root}${outDir}`, entry: entry.slice('./dist/'.length) }
}
