import { Type, type FastifyPluginAsyncTypebox, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { RateLimitedError } from '../../src/errors.js'
import { LinkSentSchema, LoginSchema, MagicLinkConfirmBodySchema, MagicLinkLandingQuerySchema } from '../../src/schemas/auth.js'
import {
  AuthenticateDiscoveryBodySchema, CreateOrganizationBodySchema, DiscoveredOrganizationListSchema, DiscoveryLoginSchema,
  ExchangeIntermediateSessionBodySchema, IntermediateSessionBodySchema, SendDiscoveryLinkBodySchema
} from '../../src/schemas/discovery.js'
import { errorResponses, htmlPage, htmlPageOrError } from '../../src/openapi/route-helpers.js'

const INTERMEDIATE = 'The intermediate session is `intermediate_session_token` (apps: authenticateDiscoveryMagicLink with `delivery: "body"`) or, without it, the HttpOnly cookie set by the discovery login in this browser (then only from this API\'s origin or CORS_ORIGINS: else 403 `origin_not_allowed`). 401 `invalid_intermediate_session`: missing, already used or expired (it lasts about 10 minutes).'
const DELIVERY = 'With `delivery: "cookie"` (default, browsers) the session is set as HttpOnly, Secure, SameSite=Lax cookies; with `delivery: "body"` (mobile) the session token and JWT are returned in the body instead.'
const NEEDS_MORE = '403 `primary_auth_required`: the organization allows only other login methods (listed in the message); 403 `mfa_required`: it requires a second factor, which this API does not offer.'

/** Discovery login: log in with an email address alone, then pick (or create) the organization. */
const discovery: FastifyPluginAsyncTypebox = async (fastify) => {
  const { config, discovery: service, login } = fastify
  const window = config.RATE_LIMIT_WINDOW_SECONDS * 1000
  const perEmail = fastify.createRateLimit({
    max: config.RATE_LIMIT_LOGIN_PER_EMAIL,
    timeWindow: window,
    keyGenerator: (request: FastifyRequest) => `discovery-email:${String((request.body as { email_address?: string }).email_address).toLowerCase()}`
  })

  fastify.post('/v1/auth/discovery/authenticate', {
    config: { public: true },
    schema: {
      tags: ['auth'],
      operationId: 'authenticateDiscoveryMagicLink',
      summary: 'Log in with a discovery link\'s token: the organizations I can enter',
      description: 'For apps that complete the login themselves: exchanges the single-use token of an emailed discovery link for an intermediate session (about 10 minutes) and the organizations the address can enter — member (active, pending, invited) or allowed to join by its email domain — each saying whether it can be entered at once (`can_enter`) or what it requires. The PKCE code verifier is `pkce_code_verifier` or, without it, the verifier cookie sendDiscoveryMagicLink set in this browser. With `delivery: "cookie"` (default) the intermediate session is an HttpOnly cookie; with `delivery: "body"` it is returned as `intermediate_session_token`. Then exchangeIntermediateSession (or createOrganizationViaDiscovery). 400 `pkce_failed`: the link was requested by another client.',
      body: AuthenticateDiscoveryBodySchema,
      response: { 200: Type.Ref(DiscoveryLoginSchema), ...errorResponses(401, 503) }
    }
  }, async (request, reply) => await service.authenticate(request, reply, request.body))

  fastify.post('/v1/auth/discovery/organizations', {
    config: { public: true },
    schema: {
      tags: ['auth'],
      operationId: 'listDiscoveredOrganizations',
      summary: 'The organizations my discovery login can enter',
      description: `Lists the organizations of the intermediate session again (nothing is spent). ${INTERMEDIATE}`,
      body: IntermediateSessionBodySchema,
      response: { 200: Type.Ref(DiscoveredOrganizationListSchema), ...errorResponses(401, 403, 503) }
    }
  }, async (request) => await service.list(request, request.body.intermediate_session_token))

  fastify.post('/v1/auth/discovery/exchange', {
    config: { public: true },
    schema: {
      tags: ['auth'],
      operationId: 'exchangeIntermediateSession',
      summary: 'Log in to one of the discovered organizations',
      description: `Turns the intermediate session into a full session in the chosen organization (single use): a membership is activated, an invitation accepted, or the address joins by its email domain. ${DELIVERY} ${INTERMEDIATE} 403 \`not_a_member\`: the address may not enter that organization; 404: no such organization. ${NEEDS_MORE}`,
      body: ExchangeIntermediateSessionBodySchema,
      response: { 200: Type.Ref(LoginSchema), ...errorResponses(401, 403, 404, 503) }
    }
  }, async (request, reply) => await service.exchange(request, reply, request.body))

  fastify.post('/v1/auth/discovery/organizations/create', {
    config: { public: true },
    schema: {
      tags: ['auth'],
      operationId: 'createOrganizationViaDiscovery',
      summary: 'Create a new organization and log in to it',
      description: `Creates an organization whose creator is its \`stytch_admin\`, and logs in to it (the intermediate session is spent). Only when DISCOVERY_CREATE_ORGANIZATIONS is on (default: on with the embedded emulator, off with real Stytch credentials), else 403 \`organization_creation_disabled\`. Name and slug default to ones derived from the email address. 409: the slug is taken. ${DELIVERY} ${INTERMEDIATE}`,
      body: CreateOrganizationBodySchema,
      response: { 201: Type.Ref(LoginSchema), ...errorResponses(400, 401, 403, 409, 503) }
    }
  }, async (request, reply) => {
    const login = await service.create(request, reply, request.body)
    return await reply.code(201).send(login)
  })

  fastify.get('/v1/auth/discovery/callback', {
    config: { public: true },
    schema: {
      tags: ['auth'],
      operationId: 'discoveryMagicLinkCallback',
      summary: 'Browser landing page of emailed discovery links',
      description: 'The URL emailed discovery links point at. Spends nothing (a link scanner or a preview cannot burn the link; HEAD likewise): an HTML page naming the address, with one button that posts the link to confirmDiscoveryMagicLink. An expired or incomplete link gets a page with a form to ask for a new one.',
      querystring: MagicLinkLandingQuerySchema,
      response: {
        200: htmlPage('The confirmation page: "Log in as <email>, then choose one of your organizations"'),
        400: htmlPageOrError('An incomplete link (HTML page with a form to ask for a new one), or a query over its size limits (ApiError)'),
        410: htmlPage('An expired link: a page with a form to ask for a new one')
      }
    }
  }, async (request, reply) => await login.sendPage(reply, service.landing(request, request.query)))

  // The routes this API's own HTML forms post to (as for the organization login): each checks
  // where the browser says the post comes from.
  await fastify.register(async function htmlForms (scope) {
    const forms = scope.withTypeProvider<TypeBoxTypeProvider>()
    forms.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, login.parseForm)

    forms.post('/v1/auth/discovery/send', {
      config: {
        public: true,
        rateLimit: {
          max: config.RATE_LIMIT_LOGIN_PER_IP,
          timeWindow: window,
          errorResponseBuilder: (_request, context) => new RateLimitedError(String(Math.ceil(context.ttl / 1000)))
        }
      },
      preHandler: async (request, reply) => {
        const limit = await perEmail(request)
        if (!limit.isAllowed && limit.isExceeded) {
          const seconds = Math.ceil(limit.ttl / 1000)
          void reply.header('retry-after', String(seconds))
          throw new RateLimitedError(String(seconds))
        }
      },
      schema: {
        tags: ['auth'],
        operationId: 'sendDiscoveryMagicLink',
        summary: 'Email a login link that needs no organization',
        description: 'Sends a discovery magic link: logging in with it lists the organizations the address can enter (then exchangeIntermediateSession picks one). Same rules as sendLoginMagicLink: valid for MAGIC_LINK_LOGIN_EXPIRATION_MINUTES and only for the client that asked (`pkce_code_challenge` for apps; for browsers the API keeps the verifier in an HttpOnly cookie); the same answer for every address; the link points at this API\'s discovery callback; rate-limited per client IP and per email address. A JSON body gets 202 JSON; an HTML form gets a 200 HTML page. 403 `origin_not_allowed`: a browser page of another origin asked.',
        consumes: ['application/json', 'application/x-www-form-urlencoded'],
        body: SendDiscoveryLinkBodySchema,
        response: {
          200: htmlPage('The HTML form was sent: a "check your email" page'),
          202: Type.Ref(LinkSentSchema),
          ...errorResponses(403),
          503: htmlPageOrError('Stytch is unreachable: ApiError, or a page saying to retry for the HTML form', 503)
        }
      }
    }, async (request, reply) => {
      if (login.isFormPost(request)) return await login.sendPage(reply, await service.sendFromForm(request, reply, request.body))
      await service.send(request, reply, request.body)
      return await reply.code(202).send({ status: 'sent', message: 'A login link is on its way to this address.' })
    })

    forms.post('/v1/auth/discovery/callback', {
      config: { public: true },
      onRequest: login.assertSameOrigin,
      schema: {
        tags: ['auth'],
        operationId: 'confirmDiscoveryMagicLink',
        summary: 'Log the browser in with an emailed discovery link (the landing page\'s button)',
        description: 'What the discovery landing page\'s button posts (an HTML form, same origin only, else 403 `origin_not_allowed`). Spends the token with this browser\'s PKCE verifier cookie, sets the intermediate-session cookie (HttpOnly, about 10 minutes) and redirects (303) to `next` when it is one of LOGIN_REDIRECT_URLS, else to the first of them: the app there lists the organizations (listDiscoveredOrganizations) and logs in to one (exchangeIntermediateSession). A link that did not log in gets an HTML page saying why.',
        consumes: ['application/x-www-form-urlencoded'],
        body: MagicLinkConfirmBodySchema,
        response: {
          303: Type.Null({ description: 'Intermediate-session cookie set; Location is the allow-listed target' }),
          400: htmlPageOrError('The link was requested by another browser or app (PKCE) (HTML page); or an invalid form (ApiError)'),
          ...errorResponses(403),
          410: htmlPage('The link was already used or has expired: a page with a form to ask for a new one'),
          503: htmlPage('Stytch is unreachable: nothing was spent, a page with a button to retry', 503)
        }
      }
    }, async (request, reply) => await login.answer(reply, await service.confirm(request, reply, request.body)))
  })
}

export default discovery
