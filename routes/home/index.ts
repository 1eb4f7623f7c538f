import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { AppOptions } from '../../src/app.js'
import type { Config } from '../../src/config.js'
import { DEV_LOGIN } from '../../src/dev-login.js'
import { HOME_PAGE_HEADERS, homeIndex, homePage, type RunningFacts } from '../../src/home-page.js'
import { APP_VERSION } from '../../src/version.js'
import { NullableString } from '../../src/schemas/common.js'

const StytchSchema = Type.Object({
  kind: Type.Union([Type.Literal('embedded-emulator'), Type.Literal('emulator'), Type.Literal('stytch')]),
  url: NullableString({ description: 'the Stytch API URL when set explicitly (emulators)' }),
  environment: Type.Union([Type.Literal('test'), Type.Literal('live'), Type.Null()])
}, { additionalProperties: false })

const HomeIndexSchema = Type.Object({
  name: Type.String({ examples: ['b2b-session-api'] }),
  version: Type.String({ examples: ['0.1.0'] }),
  stytch: StytchSchema,
  database: Type.Union([Type.Literal('postgresql'), Type.Literal('pglite')]),
  links: Type.Object({
    docs: NullableString({ description: 'Swagger UI (null when DOCS_ENABLED=false)' }),
    openapi: NullableString(),
    health: Type.String(),
    readiness: Type.String(),
    mailbox: NullableString({ description: 'the emulator\'s HTML mailbox (emulators only)' })
  }, { additionalProperties: false }),
  authenticated_as: Type.Union([Type.Object({
    member_id: Type.String(),
    email_address: NullableString(),
    organization_slug: Type.String(),
    roles: Type.Array(Type.String())
  }, { additionalProperties: false }), Type.Null()], { description: 'the member of the session the request carries, if any' })
}, { additionalProperties: false })

/** What is running, from configuration only (never from the request). */
function runningFacts (config: Config, embedded: boolean): RunningFacts {
  const url = config.STYTCH_API_URL ?? null
  // Stytch itself is https only: an http URL is an emulator (embedded, or `npm run emulator`).
  const emulator = embedded || url?.startsWith('http://') === true
  const environment = /^project-(test|live)-/.exec(config.STYTCH_PROJECT_ID ?? '')?.[1] as 'test' | 'live' | undefined
  return {
    version: APP_VERSION,
    stytch: { kind: embedded ? 'embedded-emulator' : emulator ? 'emulator' : 'stytch', url, environment: environment ?? null },
    database: config.DATABASE_URL === undefined ? 'pglite' : 'postgresql',
    docsUrl: config.DOCS_ENABLED ? '/docs' : null,
    mailboxUrl: emulator && url !== null ? new URL('emulator/mailbox', url).href : null,
    devLogin: emulator ? DEV_LOGIN : null
  }
}

const home: FastifyPluginAsyncTypebox<AppOptions> = async (fastify, opts) => {
  const facts = runningFacts(fastify.config, opts.embeddedEmulator === true)

  fastify.get('/', {
    // The normal authentication when a session is sent, but anonymous visitors are welcome.
    config: { auth: 'optional' },
    schema: {
      tags: ['about'],
      operationId: 'getIndex',
      summary: 'What is running here, and who is logged in',
      description: 'A browser (`Accept: text/html`) gets a small page: the version, the identity provider (the embedded Stytch emulator, an emulator, or Stytch) and the database, who is logged in (from the session cookie, through the normal authentication; no secret is shown), links to Swagger UI and, with an emulator, to its mailbox and a login link for the seeded admin. Every other client gets the same facts as JSON. Never an error for a missing or dead session: the visitor is then anonymous.',
      response: {
        200: {
          description: 'The index: JSON, or an HTML page for browsers',
          content: {
            'application/json': { schema: HomeIndexSchema },
            'text/html': { schema: { type: 'string', description: 'an HTML page for the browser' } }
          }
        }
      }
    }
  }, async (request, reply) => {
    const context = request.sessionContext
    void reply.header('cache-control', 'no-store').header('vary', 'Accept, Cookie, Authorization')
    if (request.headers.accept?.includes('text/html') === true) {
      return await reply.headers(HOME_PAGE_HEADERS).send(homePage(facts, context, request.authFailure, '/v1/auth/magic-links/send'))
    }
    return await reply.type('application/json').send(homeIndex(facts, context))
  })
}

export default home
