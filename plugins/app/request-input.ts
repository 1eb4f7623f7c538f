import { errorCodes, type FastifyError, type FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

type Part = 'body' | 'querystring' | 'params'

/** A 400 `validation_failed` naming the field, the same error Fastify raises for a schema violation. */
function invalid (part: Part, path: string, message: string): FastifyError {
  const err = new errorCodes.FST_ERR_VALIDATION(`${part}${path} ${message}`)
  err.validation = [{ keyword: 'storable', instancePath: path, schemaPath: '#', params: {}, message }]
  err.validationContext = part
  return err
}

const pointer = (parent: string, key: string | number): string =>
  `${parent}/${String(key).replaceAll('~', '~0').replaceAll('/', '~1').replaceAll('\u0000', '\\u0000')}`

/**
 * The first value no store or later step can hold: a string (or key) containing U+0000, which
 * PostgreSQL text refuses, or a number that is not finite (JSON's 1e400 parses to Infinity; a
 * query string's "Infinity" is coerced to it). Iterative: a deeply nested body must not
 * overflow the stack.
 */
function findUnstorable (value: unknown): { path: string, message: string } | undefined {
  const pending: Array<[unknown, string]> = [[value, '']]
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const [current, path] = item
    if (typeof current === 'string') {
      if (current.includes('\u0000')) return { path, message: 'must not contain the NUL character (U+0000)' }
    } else if (typeof current === 'number') {
      if (!Number.isFinite(current)) return { path, message: 'must be a finite number' }
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) pending.push([current[i], pointer(path, i)])
    } else if (current !== null && typeof current === 'object') {
      for (const [key, child] of Object.entries(current)) {
        if (key.includes('\u0000')) return { path: pointer(path, key), message: 'has a name containing the NUL character (U+0000)' }
        pending.push([child, pointer(path, key)])
      }
    }
  }
  return undefined
}

/**
 * What a request may carry, whatever its route: JSON bodies are strict UTF-8 (RFC 8259) and
 * parsed with Fastify's own parser (prototype-poisoning protection kept); no string of a body
 * contains U+0000 and no number of a body, query string or path is infinite. Otherwise the
 * answer is a 400 in the API's error shape instead of a database error (500) further on.
 */
export default fp(async function requestInput (fastify: FastifyInstance) {
  const parseJson = fastify.getDefaultJsonParser('error', 'error')
  const utf8 = new TextDecoder('utf-8', { fatal: true })

  fastify.removeContentTypeParser('application/json')
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body: Buffer, done) => {
    let text: string
    try {
      text = utf8.decode(body)
    } catch {
      // Rendered like Fastify's own JSON syntax errors (code invalid_json).
      done(Object.assign(new SyntaxError('The request body is not valid UTF-8'), { statusCode: 400 }), undefined)
      return
    }
    parseJson(request, text, (err, parsed) => {
      if (err !== null) {
        done(err, undefined)
        return
      }
      const problem = findUnstorable(parsed)
      if (problem === undefined) done(null, parsed)
      else done(invalid('body', problem.path, problem.message), undefined)
    })
  })

  // After validation, which coerces "Infinity" and "1e400" in a query string to a number that
  // passes `integer` and `maximum` (Ajv checks those keywords on finite numbers only).
  fastify.addHook('preHandler', (request, _reply, done) => {
    for (const part of ['querystring', 'params'] as const) {
      const problem = findUnstorable(part === 'querystring' ? request.query : request.params)
      if (problem !== undefined) {
        done(invalid(part, problem.path, problem.message))
        return
      }
    }
    done()
  })
}, { name: 'request-input' })
