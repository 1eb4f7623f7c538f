import type { FastifyInstance, FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'
import type { Test } from 'tap'
import tap from 'tap'
import { openApiValidator, type Headers } from './openapi-validator.js'

/**
 * Contract check of every response a test app sends, against openapi.yaml: each one is validated
 * as it is sent (final status, headers set so far, serialized payload), while the test that made
 * the request is still running, and a violation fails that test. (tap refuses assertions from
 * t.teardown, so nothing is deferred to the end of the test.) Routes the spec does not describe
 * (Swagger UI under /docs, CORS preflight, unknown URLs answered by the 404 handler) and HEAD
 * requests are not checked; error bodies of known routes are.
 */
let validatedInProcess = 0
let reportScheduled = false

export function responseRecorder (t: Test): FastifyPluginAsync {
  let validated = 0
  t.teardown(() => {
    if (validated > 0) t.comment(`contract: ${validated} response(s) validated against openapi.yaml`)
  })
  if (!reportScheduled) {
    reportScheduled = true
    tap.teardown(() => { tap.comment(`contract: ${validatedInProcess} response(s) validated against openapi.yaml in this file`) })
  }

  return fp(async (fastify: FastifyInstance) => {
    // Registered before the service's plugins, so this hook runs first: it sees the payload as serialized.
    fastify.addHook('onSend', async (request, reply, payload) => {
      const routeUrl = request.routeOptions.url
      const validator = openApiValidator()
      if (routeUrl === undefined || request.method === 'HEAD' || validator.operation(request.method, routeUrl) === undefined) return payload
      validated++
      validatedInProcess++
      const body = typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : undefined
      const errors = validator.validateResponse(request.method, routeUrl, reply.statusCode, reply.getHeaders() as Headers, body)
      for (const error of errors) t.fail(`response does not match openapi.yaml: ${error}`)
      return payload
    })
  }, { name: 'test-response-recorder' })
}
