import { setTimeout as sleep } from 'node:timers/promises'
import { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import { errorBody } from './errors.js'
import { faultDefaults } from './inferred.js'
import { type EmulatorState, type Fault } from './state.js'

/** Control routes are never counted and never faulted. */
function isControl (request: FastifyRequest): boolean {
  return request.url === '/emulator' || request.url.startsWith('/emulator/') || request.url.startsWith('/emulator?')
}

function routeKey (request: FastifyRequest): string | undefined {
  const template = request.routeOptions.url
  return template === undefined ? undefined : `${request.method} ${template}`
}

/** The endpoint's own fault wins over the global one ('*'). */
function faultFor (state: EmulatorState, key: string | undefined): Fault | undefined {
  return (key === undefined ? undefined : state.faults.get(key)) ?? state.faults.get('*')
}

const faultErrorTypes: Record<number, string> = {
  429: 'too_many_requests',
  500: 'internal_server_error',
  502: 'bad_gateway',
  503: 'service_unavailable',
  504: 'gateway_timeout'
}

function sendFaultError (reply: FastifyReply, status: number): FastifyReply {
  const type = faultErrorTypes[status] ?? 'emulated_fault'
  return reply.code(status).send(errorBody({ status, type, message: `Emulated fault: HTTP ${status}.` }))
}

/** Ends the exchange with no response at all. `rst` sends a TCP reset instead of a FIN. */
function dropConnection (request: FastifyRequest, reply: FastifyReply, rst: boolean): FastifyReply {
  reply.hijack()
  const socket = request.raw.socket
  if (rst) socket.resetAndDestroy()
  else socket.destroy()
  return reply
}

/**
 * Call counting (per 'METHOD /template', Stytch routes only) and injected faults. Faults apply in this
 * order: 'refuse' (connection reset before anything is read), latency, malformed 200, error rate, and
 * 'reset' (after the body was read, no response). See the report/contract for why 'refuse' is per request:
 * truly closing the port would also cut off /emulator/*, which faults must never affect.
 */
export function installTrafficHooks (app: FastifyInstance, state: EmulatorState): void {
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/emulator')) return
    const methods = Array.isArray(route.method) ? route.method : [route.method]
    for (const method of methods) if (method !== 'HEAD') state.routes.add(`${method} ${route.url}`)
  })

  app.addHook('onRequest', async (request, reply) => {
    if (isControl(request)) return
    const key = routeKey(request)
    if (key !== undefined) state.calls.set(key, (state.calls.get(key) ?? 0) + 1)
    const fault = faultFor(state, key)
    if (fault === undefined) return
    if (fault.down === 'refuse') return dropConnection(request, reply, true)
    if (fault.latency_ms > 0) await sleep(fault.latency_ms)
    if (fault.malformed) return reply.code(200).type('text/html').send(faultDefaults.malformedBody)
    if (fault.error_rate > 0 && Math.random() < fault.error_rate) return sendFaultError(reply, fault.error_status)
  })

  app.addHook('preValidation', async (request, reply) => {
    if (isControl(request)) return
    if (faultFor(state, routeKey(request))?.down === 'reset') return dropConnection(request, reply, false)
  })
}
