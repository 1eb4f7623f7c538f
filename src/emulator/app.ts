import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import { type TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { basicAuthHook } from './basic-auth.js'
import { StytchApiError, installErrorHandlers } from './errors.js'
import { errors } from './inferred.js'
import { controlRoutes } from './routes/control.js'
import { discoveryRoutes } from './routes/discovery.js'
import { jwksRoutes } from './routes/jwks.js'
import { magicLinkAuthenticateRoutes } from './routes/magic-links-authenticate.js'
import { magicLinkSendRoutes } from './routes/magic-links-send.js'
import { memberUpdateRoutes } from './routes/member-update.js'
import { memberRoutes } from './routes/members.js'
import { organizationRoutes } from './routes/organizations.js'
import { rbacRoutes } from './routes/rbac.js'
import { searchRoutes } from './routes/search.js'
import { sessionAuthenticateRoutes } from './routes/sessions-authenticate.js'
import { sessionRoutes } from './routes/sessions.js'
import { ssoRoutes } from './routes/sso.js'
import { type EmulatorState } from './state.js'
import { installTrafficHooks } from './traffic.js'

/** JSON keys that would reach an object's prototype if merged naively; Fastify's own parser rejects them too. */
function rejectPrototypeKeys (key: string, value: unknown): unknown {
  if (key === '__proto__') throw new SyntaxError('__proto__ is not allowed')
  return value
}

/**
 * JSON bodies: an empty body is "no body" (so curl users can POST /emulator/reset with a JSON content type),
 * anything unparseable is a Stytch-shaped 400 bad_request.
 */
function installJsonParser (app: FastifyInstance): void {
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8')
    if (text.trim() === '') {
      done(null, undefined)
      return
    }
    try {
      done(null, JSON.parse(text, rejectPrototypeKeys))
    } catch {
      done(new StytchApiError(errors.badRequest), undefined)
    }
  })
}

/** Options of the emulator's own Fastify app (not the API's AppOptions in src/app.ts). */
export interface EmulatorAppOptions {
  logger?: FastifyServerOptions['logger']
  /** Called after every request that may have changed the state (any method but GET/HEAD): the persister's cue. */
  onChange?: () => void
}

/** The emulator's own Fastify app (never registered into the API). Not listening yet. */
export async function buildEmulatorApp (state: EmulatorState, options: EmulatorAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    forceCloseConnections: true,
    // Wrong types must be 400s, not silently coerced: Stytch does not coerce JSON bodies.
    ajv: { customOptions: { coerceTypes: false } }
  }).withTypeProvider<TypeBoxTypeProvider>()

  installJsonParser(app)
  installErrorHandlers(app)
  installTrafficHooks(app, state)
  const onChange = options.onChange
  if (onChange !== undefined) {
    app.addHook('onResponse', async (request) => {
      if (request.method !== 'GET' && request.method !== 'HEAD') onChange()
    })
  }

  await app.register(controlRoutes, { state })
  await app.register(jwksRoutes, { state })
  await app.register(async (stytch) => {
    stytch.addHook('onRequest', basicAuthHook(state))
    await stytch.register(organizationRoutes, { state })
    await stytch.register(searchRoutes, { state })
    await stytch.register(memberRoutes, { state })
    await stytch.register(memberUpdateRoutes, { state })
    await stytch.register(magicLinkSendRoutes, { state })
    await stytch.register(magicLinkAuthenticateRoutes, { state })
    await stytch.register(sessionRoutes, { state })
    await stytch.register(sessionAuthenticateRoutes, { state })
    await stytch.register(rbacRoutes, { state })
    await stytch.register(discoveryRoutes, { state })
    await stytch.register(ssoRoutes, { state })
  })
  return app
}
