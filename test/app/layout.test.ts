import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import t from 'tap'

const root = join(import.meta.dirname, '../..')
const filesUnder = (dir: string): string[] => readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
  .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
  .map((entry) => relative(root, join(entry.parentPath, entry.name)))

/** The entry points that build or run the app, and the emulator (a Fastify app of its own). */
const FASTIFY_IN_SRC = ['src/app.ts', 'src/server.ts', 'src/dev-login.ts', 'src/openapi/generate.ts']

// @fastify/error is allowed: it only makes typed Error classes (src/errors.ts).
t.test('src/ is framework-free: no fastify imports outside the entry points and the emulator', async (t) => {
  const offenders = filesUnder('src')
    .filter((file) => !file.startsWith('src/emulator/') && !FASTIFY_IN_SRC.includes(file))
    .filter((file) => /from '(fastify|fastify-plugin|@fastify\/(?!error')[^']*)'/.test(readFileSync(join(root, file), 'utf8')))
  t.same(offenders, [], 'modules in src/ that import Fastify (they belong in plugins/)')
})

t.test('routes/ call services: no src/auth import, no SDK import, no try/catch in a handler', async (t) => {
  for (const file of filesUnder('routes')) {
    const text = readFileSync(join(root, file), 'utf8')
    t.notMatch(text, /from '[./]*src\/auth\//, `${file} does not import src/auth/*`)
    t.notMatch(text, /from 'stytch'/, `${file} does not import the SDK`)
    t.notMatch(text, /\btry \{/, `${file} has no try/catch`)
  }
})
