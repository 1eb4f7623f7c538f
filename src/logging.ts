import type { FastifyRequest } from 'fastify'

/**
 * Credentials never reach the logs: headers that carry them are censored by pino's `redact`, and
 * query parameters that carry them (the magic-link `token`) are censored in the logged URL.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-stytch-member-session"]',
  'req.headers["x-stytch-member-sessionjwt"]',
  'res.headers["set-cookie"]',
  'res.headers["x-session-jwt"]',
  '*.session_token',
  '*.session_jwt',
  '*.magic_links_token',
  '*.token',
  '*.secret'
]

const SECRET_QUERY_PARAMS = /([?&](?:token|session_token|session_jwt|magic_links_token)=)[^&#]*/gi

/** The URL with credential-bearing query values replaced. */
export const redactUrl = (url: string): string => url.replace(SECRET_QUERY_PARAMS, '$1[redacted]')

export const logSerializers = {
  req (request: FastifyRequest) {
    return {
      method: request.method,
      url: redactUrl(request.url),
      host: request.host,
      remoteAddress: request.ip,
      remotePort: request.socket?.remotePort
    }
  },
  res (reply: { statusCode: number }) {
    return { statusCode: reply.statusCode }
  }
}
