import { Type, type FastifyPluginAsyncTypebox, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { RateLimitedError } from '../../src/errors.js'
import {
  AuthenticateMagicLinkBodySchema, LinkSentSchema, LoginSchema, MagicLinkConfirmBodySchema, MagicLinkLandingQuerySchema, SendLoginLinkBodySchema,
  type Login
} from '../../src/schemas/auth.js'
import { errorResponses, htmlPage, htmlPageOrError } from '../../src/openapi/route-helpers.js'
import type { LoginResult } from '../../plugins/app/login.js'

const viewOf = (result: LoginResult): Login => ({ member: result.context.member, organization: result.context.organization, session: result.context.session })

const magicLinks: FastifyPluginAsyncTypebox = async (fastify) => {
  const { config, login, sessions } = fastify
  const window = config.RATE_LIMIT_WINDOW_SECONDS * 1000
  const perEmail = fastify.createRateLimit({
    max: config.RATE_LIMIT_LOGIN_PER_EMAIL,
    timeWindow: window,
    keyGenerator: (request: FastifyRequest) => `email:${String((request.body as { email_address?: string }).email_address).toLowerCase()}`
  })

  fastify.post('/v1/auth/magic-links/authenticate', {
    config: { public: true },
    schema: {
      tags: ['auth'],
      operationId: 'authenticateMagicLink',
      summary: 'Log in with the token from a magic link',
      description: 'For apps that complete the login themselves: exchanges the single-use token from the emailed link for a session. The PKCE code verifier is `pkce_code_verifier` (the app passed its challenge to sendLoginMagicLink) or, without it, the HttpOnly verifier cookie sendLoginMagicLink set in this browser. With `delivery: "cookie"` (default, browsers) the session is set as HttpOnly, Secure, SameSite=Lax cookies; with `delivery: "body"` (mobile) the session token and JWT are returned in the body instead. JSON only: an HTML form of another site cannot post here. 400 `pkce_failed`: the link was requested by another client (verifier missing, wrong or not expected).',
      body: AuthenticateMagicLinkBodySchema,
      response: { 200: Type.Ref(LoginSchema), ...errorResponses(401, 503) }
    }
  }, async (request, reply) => {
    const result = await login.authenticate(request, reply, request.body)
    if (request.body.delivery === 'body') {
      return { ...viewOf(result), session_token: result.session_token, session_jwt: result.session_jwt }
    }
    sessions.setCookies(reply, { ...result, expires_at: result.context.session.expires_at })
    return viewOf(result)
  })

  fastify.get('/v1/auth/magic-links/callback', {
    config: { public: true },
    schema: {
      tags: ['auth'],
      operationId: 'magicLinkCallback',
      summary: 'Browser landing page of emailed links',
      description: 'The URL emailed links point at. Spends nothing (a link scanner, a preview or a second click cannot burn the link; HEAD likewise): it answers an HTML page that names the organization and the email address the link is for, with one button that posts the link to confirmMagicLink — the only way a browser logs in with it. An expired link (known from the link itself) or an incomplete one gets a page with a form to ask for a new link.',
      querystring: MagicLinkLandingQuerySchema,
      response: {
        200: htmlPage('The confirmation page: "Log in to <organization> as <email>?" (or "Join <organization>" for an invite)'),
        400: htmlPageOrError('An incomplete link (HTML page with a form to ask for a new one), or a query over its size limits (ApiError)'),
        410: htmlPage('An expired link: a page with a form to ask for a new one')
      }
    }
  }, async (request, reply) => await login.sendPage(reply, login.landing(request, request.query)))

  // The two routes this API's own HTML forms post to — the only ones that parse form bodies (an
  // HTML form of any site can post one): each checks where the browser says the post comes from.
  await fastify.register(async function htmlForms (scope) {
    const forms = scope.withTypeProvider<TypeBoxTypeProvider>()
    forms.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, login.parseForm)

    forms.post('/v1/auth/magic-links/send', {
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
        operationId: 'sendLoginMagicLink',
        summary: 'Email a login link',
        description: 'Sends a login magic link (or a sign-up link, where the organization allows sign-up for the address\'s domain), valid for MAGIC_LINK_LOGIN_EXPIRATION_MINUTES (default 15) and only for the client that asked: with `pkce_code_challenge` (apps), the link needs its verifier; without it (browsers), the API keeps a verifier in an HttpOnly, Secure, SameSite=Lax cookie (`__Host-stytch_pkce_verifier` by default) that only the link\'s landing page in this browser can use. The answer is the same whether or not the address is a member, so it cannot be used to find out who is. The link points at this API\'s configured callback, never at a URL derived from the request. Rate-limited per client IP and per email address. A JSON body gets 202 JSON; an HTML form (the "ask for a new link" form of the landing pages) gets a 200 HTML page. 403 `origin_not_allowed`: a browser page of another origin (not CORS_ORIGINS) asked.',
        consumes: ['application/json', 'application/x-www-form-urlencoded'],
        body: SendLoginLinkBodySchema,
        response: {
          200: htmlPage('The HTML form was sent: a "check your email" page'),
          202: Type.Ref(LinkSentSchema),
          ...errorResponses(403),
          503: htmlPageOrError('Stytch is unreachable: ApiError, or a page saying to retry for the HTML form', 503)
        }
      }
    }, async (request, reply) => {
      if (login.isFormPost(request)) return await login.sendPage(reply, await login.sendFromForm(request, reply, request.body))
      await login.send(request, reply, request.body)
      return await reply.code(202).send({ status: 'sent', message: 'If this address can log in to the organization, a login link is on its way.' })
    })

    forms.post('/v1/auth/magic-links/callback', {
      config: { public: true },
      onRequest: login.assertSameOrigin,
      schema: {
        tags: ['auth'],
        operationId: 'confirmMagicLink',
        summary: 'Log the browser in with an emailed link (the landing page\'s button)',
        description: 'What the landing page\'s button posts (an HTML form, same origin only: `Sec-Fetch-Site: same-origin`, or `Origin` equal to PUBLIC_URL; else 403 `origin_not_allowed`, so another site cannot log a browser in). Spends the token with this browser\'s PKCE verifier cookie (a link that cannot carry PKCE, an invite, logs in on this explicit confirmation alone), sets the session cookies and redirects (303) to `next` when it is one of LOGIN_REDIRECT_URLS, else to the first of them (default: Swagger UI at /docs). A link that did not log in gets an HTML page saying why, with a form to ask for a new link.',
        consumes: ['application/x-www-form-urlencoded'],
        body: MagicLinkConfirmBodySchema,
        response: {
          303: Type.Null({ description: 'Logged in (session cookies set); Location is the allow-listed target' }),
          400: htmlPageOrError('The link was requested by another browser or app (PKCE), or the organization requires a second factor (HTML page); or an invalid form (ApiError)'),
          ...errorResponses(403),
          410: htmlPage('The link was already used or has expired: a page with a form to ask for a new one'),
          503: htmlPage('Stytch is unreachable: nothing was spent, a page with a button to retry', 503)
        }
      }
    }, async (request, reply) => await login.answer(reply, await login.confirm(request, reply, request.body)))
  })
}

export default magicLinks
