import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { StytchApiError } from '../errors.js'
import { errors, faultDefaults } from '../inferred.js'
import { removeKey, rotateSigningKey } from '../keys.js'
import { applySeed } from '../seed.js'
import { MAILBOX_HEADERS, mailboxPage } from '../mailbox.js'
import { clearState, type EmulatorState, type Fault } from '../state.js'

const OutboxQuery = Type.Object({ email: Type.Optional(Type.String()) })
const ConfigBody = Type.Object({
  clock_offset_seconds: Type.Optional(Type.Number()),
  jwt_lifetime_seconds: Type.Optional(Type.Integer({ minimum: 1 }))
})
const FaultBody = Type.Object({
  endpoint: Type.Optional(Type.String()),
  latency_ms: Type.Optional(Type.Number({ minimum: 0 })),
  error_rate: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  error_status: Type.Optional(Type.Integer({ minimum: 400, maximum: 599 })),
  down: Type.Optional(Type.Union([Type.Literal('reset'), Type.Literal('refuse'), Type.Literal(false)])),
  malformed: Type.Optional(Type.Boolean())
})
const KidParams = Type.Object({ kid: Type.String() })

function keysView (state: EmulatorState): { kid: string, previous_kids: string[] } {
  return { kid: state.keys.current.kid, previous_kids: state.keys.previous.map((key) => key.kid) }
}

function faultsView (state: EmulatorState): { faults: Fault[] } {
  return { faults: [...state.faults.values()] }
}

/** Resets everything to the freshly started state (and the seed, if the emulator was started with one). */
export function resetEmulator (state: EmulatorState): void {
  clearState(state)
  if (state.options.seed) applySeed(state)
}

/** Non-Stytch endpoints for dev and tests, under /emulator/: no Basic auth, never counted or faulted. */
export const controlRoutes: FastifyPluginAsyncTypebox<{ state: EmulatorState }> = async (app, { state }) => {
  app.get('/emulator/outbox', { schema: { querystring: OutboxQuery } }, async (request) => {
    const email = request.query.email?.trim().toLowerCase()
    const messages = email === undefined ? state.outbox : state.outbox.filter((message) => message.email_address === email)
    return { messages }
  })

  // The same messages as an HTML mailbox with clickable links (for a developer's browser).
  app.get('/emulator/mailbox', { schema: { querystring: OutboxQuery } }, async (request, reply) => {
    const email = request.query.email?.trim().toLowerCase()
    const messages = email === undefined ? state.outbox : state.outbox.filter((message) => message.email_address === email)
    return await reply.headers(MAILBOX_HEADERS).send(mailboxPage(messages, email))
  })

  app.post('/emulator/reset', async () => {
    resetEmulator(state)
    return { ok: true }
  })

  app.get('/emulator/calls', async () => {
    const calls = Object.fromEntries(state.calls)
    const total = [...state.calls.values()].reduce((sum, count) => sum + count, 0)
    return { calls, total }
  })

  app.post('/emulator/calls/reset', async () => {
    state.calls.clear()
    return { ok: true }
  })

  app.get('/emulator/keys', async () => keysView(state))

  app.post('/emulator/keys/rotate', async () => {
    await rotateSigningKey(state)
    return keysView(state)
  })

  app.delete('/emulator/keys/:kid', { schema: { params: KidParams } }, async (request) => {
    const { kid } = request.params
    if (kid === state.keys.current.kid) {
      throw new StytchApiError(errors.invalidArgument, 'The current signing key cannot be removed; rotate first.')
    }
    if (!removeKey(state, kid)) throw new StytchApiError({ ...errors.invalidArgument, status: 404, type: 'key_not_found' }, `No key ${kid}.`)
    return keysView(state)
  })

  app.get('/emulator/config', async () => state.config)

  app.post('/emulator/config', { schema: { body: ConfigBody } }, async (request) => {
    const { clock_offset_seconds: offset, jwt_lifetime_seconds: lifetime } = request.body
    if (offset !== undefined) state.config.clock_offset_seconds = offset
    if (lifetime !== undefined) state.config.jwt_lifetime_seconds = lifetime
    return state.config
  })

  app.get('/emulator/faults', async () => faultsView(state))

  app.post('/emulator/faults', { schema: { body: FaultBody } }, async (request) => {
    const body = request.body
    if (body.endpoint !== undefined && !state.routes.has(body.endpoint)) {
      throw new StytchApiError(errors.invalidArgument,
        `Unknown endpoint "${body.endpoint}"; use 'METHOD /template', one of: ${[...state.routes].join(', ')}`)
    }
    const errorRate = body.error_rate ??
      (body.error_status === undefined ? 0 : faultDefaults.errorRateWhenOnlyStatusGiven)
    const fault: Fault = {
      endpoint: body.endpoint ?? null,
      latency_ms: body.latency_ms ?? 0,
      error_rate: errorRate,
      error_status: body.error_status ?? faultDefaults.errorStatus,
      down: body.down ?? false,
      malformed: body.malformed ?? false
    }
    state.faults.set(body.endpoint ?? '*', fault)
    return faultsView(state)
  })

  app.delete('/emulator/faults', async () => {
    state.faults.clear()
    return { ok: true }
  })
}
