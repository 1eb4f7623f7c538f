import { readFileSync } from 'node:fs'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'
import t from 'tap'
import { parse } from 'yaml'

/**
 * Swagger UI's "Try it out" starts from the first example of a request body: without one it
 * sends a placeholder ("string"), which on updateDocument overwrote a title with "string". Every
 * operation with a request body has an example, for every media type, that its schema accepts.
 */

const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv2020) => Ajv2020
const SPEC_ID = 'https://examples.test/openapi.json'
const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch'])

interface Media { schema?: Record<string, unknown>, example?: unknown, examples?: Record<string, { value?: unknown }> }
interface Operation { operationId?: string, requestBody?: { content?: Record<string, Media> } }
interface Spec { paths: Record<string, Record<string, Operation>>, components?: Record<string, unknown>, info: { description?: string } }

const absoluteRefs = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(absoluteRefs)
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, key === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `${SPEC_ID}${v}` : absoluteRefs(v)]))
}

const spec = parse(readFileSync(new URL('../../openapi.yaml', import.meta.url), 'utf8')) as Spec

/** The examples Swagger UI offers for a media type: the media type's own, else the schema's. */
function examplesOf (media: Media): unknown[] {
  if (media.example !== undefined) return [media.example]
  if (media.examples !== undefined) return Object.values(media.examples).map((e) => e.value)
  return (media.schema?.examples as unknown[] | undefined) ?? []
}

t.test('every operation with a request body has an example per media type, valid against its schema', async (t) => {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false, logger: false })
  addFormats(ajv)
  ajv.addSchema({ $id: SPEC_ID, components: absoluteRefs(spec.components ?? {}) }, undefined, undefined, false)
  let checked = 0
  for (const item of Object.values(spec.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!METHODS.has(method) || operation.requestBody === undefined) continue
      for (const [type, media] of Object.entries(operation.requestBody.content ?? {})) {
        const what = `${operation.operationId ?? method} (${type})`
        const examples = examplesOf(media)
        t.ok(examples.length > 0, `${what}: has an example body`)
        const validate = ajv.compile(absoluteRefs(media.schema ?? {}) as object)
        for (const example of examples) {
          t.ok(validate(example), `${what}: example ${JSON.stringify(example)} is valid${validate.errors == null ? '' : `: ${ajv.errorsText(validate.errors)}`}`)
          t.notMatch(JSON.stringify(example), /"string"/, `${what}: no placeholder value`)
        }
        checked++
      }
    }
  }
  t.ok(checked >= 10, `${checked} request bodies checked`)
})

t.test('the description says how the session cookie and bearer tokens work on the Swagger UI page', async (t) => {
  const description = spec.info.description ?? ''
  t.match(description, /same origin/i, 'the page and the API share an origin')
  t.match(description, /HttpOnly/, 'the cookies are HttpOnly')
  t.match(description, /automatically/i, 'the browser sends them by itself')
  t.match(description, /Authorize/, 'bearer tokens go through Authorize')
})
