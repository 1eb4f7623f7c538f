import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { RateLimitedError } from '../../src/errors.js'
import {
  AuthenticateMagicLinkBodySchema, LinkSentSchema, LoginSchema, SendLoginLinkBodySchema, type Login
} from '../../src/schemas/auth.js'
import { MagicLinkTokenSchema } from '../../src/schemas/primitives.js'
import { errorResponses } from '../../src/openapi/route-helpers.js'
import type { LoginResult } from '../../plugins/app/sessions.js'

const viewOf = (result: LoginResult): Login => ({ member: result.context.member, organization: result.context.organization, session: result.context.session })

const magicLinks: FastifyPluginAsyncTypebox = async (fastify) => {
  const { config } = fastify
  const { sessions } = fastify
  const window = config.RATE_LIMIT_WINDOW_SECONDS * 1000
  const perEmail = fastify.createRateLimit({
    max: config.RATE_LIMIT_LOGIN_PER_EMAIL,
    timeWindow: window,
    keyGenerator: (request: FastifyRequest) => `email:${String((request.body as { email_address?: string }).email_address).toLowerCase()}`
  })

  fastify.post('/v1/auth/magic-links/send', {
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
      description: 'Sends a login magic link (or a sign-up link, where the organization allows sign-up for the address\'s domain). The answer is the same whether or not the address is a member, so it cannot be used to find out who is. The link points at this API\'s configured callback, never at a URL derived from the request. Rate-limited per client IP and per email address.',
      body: SendLoginLinkBodySchema,
      response: { 202: Type.Ref(LinkSentSchema), ...errorResponses(503) }
    }
  }, async (request, reply) => {
    await sessions.sendLoginLink(request.body)
    return await reply.code(202).send({ status: 'sent', message: 'If this address can log in to the organization, a login link is on its way.' })
  })

  fastify.post('/v1/auth/magic-links/authenticate', {
    config: { public: true },
    schema: {
      tags: ['auth'],
      operationId: 'authenticateMagicLink',
      summary: 'Log in with the token from a magic link',
      description: 'Exchanges the single-use token from the emailed link for a session. With `delivery: "cookie"` (default, browsers) the session is set as HttpOnly, Secure, SameSite=Lax cookies; with `delivery: "body"` (mobile) the session token and JWT are returned in the body instead.',
      body: AuthenticateMagicLinkBodySchema,
      response: { 200: Type.Ref(LoginSchema), ...errorResponses(401, 503) }
    }
  }, async (request, reply) => {
    const result = await sessions.login(request.body.token, request.body.pkce_code_verifier)
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
      description: 'The URL emailed links point at. Logs the browser in (sets the session cookies) and redirects (303) to `next` when it is one of the configured LOGIN_REDIRECT_URLS, else to the first of them (default: Swagger UI at /docs).',
      querystring: Type.Object({
        token: MagicLinkTokenSchema,
        stytch_token_type: Type.Optional(Type.String({ maxLength: 64 })),
        next: Type.Optional(Type.String({ maxLength: 2048, format: 'uri' }))
      }),
      response: { 303: Type.Null({ description: 'Logged in; Location is the allow-listed target' }), ...errorResponses(401, 503) }
    }
  }, async (request, reply) => {
    const result = await sessions.login(request.query.token)
    sessions.setCookies(reply, { ...result, expires_at: result.context.session.expires_at })
    const allowed = config.LOGIN_REDIRECT_URLS.length > 0 ? config.LOGIN_REDIRECT_URLS : [`${config.PUBLIC_URL}/docs`]
    const next = request.query.next
    const target = next !== undefined && allowed.includes(next) ? next : allowed[0] as string
    return await reply.redirect(target, 303)
  })
}

export default magicLinks
