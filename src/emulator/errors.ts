import { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import { errorUrl, errors, type ErrorSpec } from './inferred.js'
import { requestId } from './ids.js'

/** An error the emulator returns on purpose, in Stytch's shape. Thrown from handlers. */
export class StytchApiError extends Error {
  readonly spec: ErrorSpec

  constructor (spec: ErrorSpec, message?: string) {
    super(message ?? spec.message)
    this.spec = spec
  }
}

export interface StytchErrorBody {
  status_code: number
  request_id: string
  error_type: string
  error_message: string
  error_url: string
}

export function errorBody (spec: ErrorSpec, message = spec.message): StytchErrorBody {
  return {
    status_code: spec.status,
    request_id: requestId(),
    error_type: spec.type,
    error_message: message,
    error_url: errorUrl(spec.status, spec.type)
  }
}

export function sendError (reply: FastifyReply, spec: ErrorSpec, message?: string): FastifyReply {
  return reply.code(spec.status).send(errorBody(spec, message))
}

/** Turns Ajv's first complaint into a Stytch-style message, e.g. "body/session_duration_minutes must be number". */
function validationMessage (error: FastifyError): string {
  const first = error.validation?.[0]
  if (first === undefined) return errors.invalidArgument.message
  const where = `${error.validationContext ?? 'body'}${first.instancePath}`
  const missing = first.params.missingProperty
  if (typeof missing === 'string') return `${where}/${missing} is required`
  return `${where} ${first.message ?? 'is invalid'}`
}

/**
 * Every failure leaves the emulator Stytch-shaped, with HTTP status == status_code, and never with a
 * stack trace: our own errors keep their spec, validation and other client faults become 400, and
 * anything unexpected becomes 500 (logged, since it is an emulator bug).
 */
export function installErrorHandlers (app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof StytchApiError) return sendError(reply, error.spec, error.message)
    if (error.validation !== undefined) return sendError(reply, errors.invalidArgument, validationMessage(error))
    const status = error.statusCode ?? 500
    if (status >= 400 && status < 500) {
      // Framework-level client faults (unparseable JSON, wrong content type, body too large): always 400.
      return sendError(reply, errors.badRequest, error instanceof SyntaxError ? errors.badRequest.message : error.message)
    }
    request.log.error({ err: error }, 'emulator bug: unexpected error')
    return sendError(reply, errors.internalServerError)
  })
  app.setNotFoundHandler((request, reply) => {
    return sendError(reply, errors.routeNotFound, `No route for ${request.method} ${request.url.split('?')[0] ?? ''}.`)
  })
}
