import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { sharedSchemas } from '../../src/schemas/index.js'

/**
 * Registers every shared schema (each export of src/schemas with an `$id`), so routes can
 * `Type.Ref` them and the OpenAPI document lists them once under `components.schemas`.
 */
export default fp(async function schemas (fastify: FastifyInstance) {
  for (const schema of sharedSchemas()) fastify.addSchema(schema)
}, { name: 'schemas' })
