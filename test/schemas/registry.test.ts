import { readdir } from 'node:fs/promises'
import { Type } from '@sinclair/typebox'
import Fastify from 'fastify'
import t from 'tap'
import schemasPlugin from '../../plugins/app/schemas.js'
import { schemaModules, sharedSchemas } from '../../src/schemas/index.js'

t.test('every module of src/schemas is in the registry', async (t) => {
  const files = (await readdir(new URL('../../src/schemas/', import.meta.url))).filter((f) => f.endsWith('.ts') && f !== 'index.ts')
  t.same(Object.keys(schemaModules).sort(), files.sort())
})

t.test('every exported schema with an $id is shared, once, in $id order', async (t) => {
  const shared = sharedSchemas()
  const ids = shared.map((s) => s.$id)
  t.same(ids, [...ids].sort(), 'sorted by $id')
  t.equal(new Set(ids).size, ids.length, 'no $id twice')
  const exported = Object.values(schemaModules).flatMap((m) => Object.values(m))
    .filter((v): v is { $id: string } => typeof v === 'object' && v !== null && typeof (v as { $id?: unknown }).$id === 'string')
  t.same(new Set(exported.map((s) => s.$id)), new Set(ids), 'none left out')
  t.ok(ids.includes('ApiError') && ids.includes('SessionView') && ids.includes('Document'))
})

t.test('two different schemas with one $id are refused', async (t) => {
  const a = Type.Object({}, { $id: 'Same' })
  t.same(sharedSchemas({ 'a.ts': { A: a, Alias: a } }).map((s) => s.$id), ['Same'], 'the same object exported twice is fine')
  t.throws(() => sharedSchemas({ 'a.ts': { A: a }, 'b.ts': { B: Type.Object({ x: Type.String() }, { $id: 'Same' }) } }), /\$id 'Same' is defined twice \(again as B in b\.ts\)/)
})

t.test('the plugin registers them, so every Type.Ref in them resolves', async (t) => {
  const app = Fastify()
  await app.register(schemasPlugin)
  app.get('/', { schema: { response: { 200: Type.Ref('SessionView'), 400: Type.Ref('ApiError') } } }, async () => ({}))
  await app.ready()
  t.same(Object.keys(app.getSchemas()).sort(), sharedSchemas().map((s) => s.$id))
  await app.close()
})
