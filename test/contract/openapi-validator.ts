import { readFileSync } from 'node:fs'
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'
import { parse } from 'yaml'

/**
 * Validates real responses against the committed openapi.yaml (the document API consumers read):
 * the status must be documented for the operation, the body must match its schema (schemas are
 * closed: an undocumented field is an error), and documented response headers must be present.
 */

// ajv-formats is CommonJS: under NodeNext its default export is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv2020) => Ajv2020

interface MediaType { schema?: Record<string, unknown> }
interface HeaderObject { required?: boolean, schema?: Record<string, unknown> }
interface ResponseObject { description?: string, content?: Record<string, MediaType>, headers?: Record<string, HeaderObject> }
interface Operation { operationId?: string, responses?: Record<string, ResponseObject> }
interface Spec { paths: Record<string, Record<string, Operation>>, components?: { schemas?: Record<string, unknown> } }

const SPEC_ID = 'https://contract.test/openapi.json'
const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'])

/** `#/components/...` refs, made absolute so they resolve wherever a response schema is compiled. */
function absoluteRefs (value: unknown): unknown {
  if (Array.isArray(value)) return value.map(absoluteRefs)
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(Object.entries(value).map(([key, v]) =>
    [key, key === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `${SPEC_ID}${v}` : absoluteRefs(v)]))
}

/** A Fastify route template (`/a/:id`) as an OpenAPI path (`/a/{id}`). */
export function openApiPath (routeUrl: string): string {
  return routeUrl.replace(/:([A-Za-z0-9_]+)/g, '{$1}')
}

export type Headers = Record<string, string | string[] | number | undefined>

export class OpenApiValidator {
  readonly spec: Spec
  private readonly ajv: Ajv2020
  private readonly compiled = new Map<string, ValidateFunction>()

  constructor (specFile: URL | string = new URL('../../openapi.yaml', import.meta.url)) {
    this.spec = parse(readFileSync(specFile, 'utf8')) as Spec
    this.ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false, logger: false })
    addFormats(this.ajv)
    this.ajv.addSchema({ $id: SPEC_ID, components: absoluteRefs(this.spec.components ?? {}) }, undefined, undefined, false)
  }

  /** The operation, when the spec has one for this method and route template. */
  operation (method: string, routeUrl: string): Operation | undefined {
    const m = method.toLowerCase()
    if (!METHODS.has(m)) return undefined
    return this.spec.paths[openApiPath(routeUrl)]?.[m]
  }

  /** Number of operations in the spec. */
  get operationCount (): number {
    return Object.values(this.spec.paths).reduce((n, item) => n + Object.keys(item).filter((k) => METHODS.has(k)).length, 0)
  }

  private validator (key: string, schema: Record<string, unknown>): ValidateFunction {
    let validate = this.compiled.get(key)
    if (validate === undefined) {
      validate = this.ajv.compile(absoluteRefs(schema) as Record<string, unknown>)
      this.compiled.set(key, validate)
    }
    return validate
  }

  /**
   * Every way this response departs from the spec (empty: it conforms). `routeUrl` is the Fastify
   * route template (request.routeOptions.url); the route must be in the spec (see `operation`).
   */
  validateResponse (method: string, routeUrl: string, statusCode: number, headers: Headers, body: string | Buffer | undefined): string[] {
    const where = `${method.toUpperCase()} ${routeUrl} → ${statusCode}`
    const operation = this.operation(method, routeUrl)
    if (operation === undefined) return [`${where}: operation not in openapi.yaml`]
    const responses = operation.responses ?? {}
    const status = String(statusCode)
    const documented = responses[status] ?? responses[`${status[0] ?? ''}XX`] ?? responses.default
    if (documented === undefined) {
      const text = body === undefined ? '' : body.toString().slice(0, 300)
      return [`${where}: status ${status} is not documented for ${operation.operationId ?? 'the operation'} (documented: ${Object.keys(responses).join(', ')}); body: ${text}`]
    }
    const errors: string[] = []

    for (const [name, header] of Object.entries(documented.headers ?? {})) {
      const value = headers[name.toLowerCase()]
      // Documented response headers are promises to the client: they must be sent.
      if (value === undefined || value === '') {
        errors.push(`${where}: documented response header ${name} is missing${header.required === false ? ' (declared optional)' : ''}`)
        continue
      }
      if (header.schema !== undefined) {
        const validate = this.validator(`${operation.operationId ?? routeUrl}:${status}:header:${name}`, header.schema)
        const first = Array.isArray(value) ? value[0] : value
        // Header values are strings on the wire; integer/number schemas describe their parsed value.
        const numeric = header.schema.type === 'integer' || header.schema.type === 'number'
        const v = numeric && typeof first === 'string' && first.trim() !== '' && !Number.isNaN(Number(first)) ? Number(first) : first
        if (validate(numeric ? v : typeof v === 'number' ? String(v) : v) === false) errors.push(`${where}: header ${name}=${String(v)} does not match its schema`)
      }
    }

    const raw = body === undefined ? '' : body.toString()
    const content = documented.content ?? {}
    const mediaTypes = Object.keys(content)
    if (mediaTypes.length === 0) {
      // Routes answer these with `reply.send(null)`: the JSON serializer (Type.Null) yields `null`,
      // which Fastify drops for 204. It means "no body"; anything else is an undocumented body.
      if (raw.length > 0 && raw !== 'null') errors.push(`${where}: the response has a body but none is documented: ${raw.slice(0, 300)}`)
      return errors
    }
    if (raw.length === 0) {
      errors.push(`${where}: a body (${mediaTypes.join(', ')}) is documented but the response is empty`)
      return errors
    }
    const contentType = String(headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
    const mediaType = content[contentType] ?? (contentType.endsWith('json') ? content['application/json'] : undefined)
    if (mediaType === undefined) {
      errors.push(`${where}: content-type ${contentType === '' ? '(none)' : contentType} is not documented (documented: ${mediaTypes.join(', ')})`)
      return errors
    }
    if (mediaType.schema === undefined) return errors
    let parsed: unknown = raw
    if (contentType.endsWith('json')) {
      try {
        parsed = JSON.parse(raw)
      } catch {
        errors.push(`${where}: the body is not JSON: ${raw.slice(0, 300)}`)
        return errors
      }
    }
    const validate = this.validator(`${operation.operationId ?? routeUrl}:${status}:${contentType}`, mediaType.schema)
    if (validate(parsed) === false) {
      const details = (validate.errors ?? []).map((e) => `${e.instancePath === '' ? '(body)' : e.instancePath} ${e.message ?? ''}${e.keyword === 'additionalProperties' ? ` '${String((e.params as { additionalProperty?: string }).additionalProperty)}'` : ''}`)
      errors.push(`${where}: the body does not match the documented schema: ${details.join('; ')}; body: ${raw.slice(0, 500)}`)
    }
    return errors
  }
}

let shared: OpenApiValidator | undefined

/** The validator of the committed openapi.yaml (parsed and compiled once per test process). */
export function openApiValidator (): OpenApiValidator {
  shared ??= new OpenApiValidator()
  return shared
}

/** See OpenApiValidator.validateResponse. */
export function validateResponse (method: string, routeUrl: string, statusCode: number, headers: Headers, body: string | Buffer | undefined): string[] {
  return openApiValidator().validateResponse(method, routeUrl, statusCode, headers, body)
}
