import type { TSchema } from '@sinclair/typebox'
import * as audit from './audit.js'
import * as auth from './auth.js'
import * as common from './common.js'
import * as discovery from './discovery.js'
import * as document from './document.js'
import * as error from './error.js'
import * as member from './member.js'
import * as organization from './organization.js'
import * as primitives from './primitives.js'
import * as session from './session.js'

/** Every module of src/schemas, by file name (a test checks that none is missing). */
export const schemaModules: Record<string, Record<string, unknown>> = {
  'audit.ts': audit,
  'auth.ts': auth,
  'common.ts': common,
  'discovery.ts': discovery,
  'document.ts': document,
  'error.ts': error,
  'member.ts': member,
  'organization.ts': organization,
  'primitives.ts': primitives,
  'session.ts': session
}

const hasId = (value: unknown): value is TSchema & { $id: string } =>
  typeof value === 'object' && value !== null && typeof (value as { $id?: unknown }).$id === 'string'

/**
 * The shared schemas: every export of the schema modules that has an `$id`, ordered by `$id` (the
 * order of `components.schemas` in openapi.yaml). Two different schemas with the same `$id` throw.
 */
export function sharedSchemas (modules: Record<string, Record<string, unknown>> = schemaModules): Array<TSchema & { $id: string }> {
  const byId = new Map<string, TSchema & { $id: string }>()
  for (const [file, exports] of Object.entries(modules)) {
    for (const [name, value] of Object.entries(exports)) {
      if (!hasId(value)) continue
      const known = byId.get(value.$id)
      if (known !== undefined && known !== value) throw new Error(`schema $id '${value.$id}' is defined twice (again as ${name} in ${file})`)
      byId.set(value.$id, value)
    }
  }
  return [...byId.values()].sort((a, b) => (a.$id < b.$id ? -1 : a.$id > b.$id ? 1 : 0))
}
