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

/** Query parameters that carry a credential, by decoded name (compared case-insensitively). */
const SECRET_QUERY_NAMES = new Set([
  'token', 'access_token', 'refresh_token', 'id_token', 'jwt', 'authorization', 'code', 'code_verifier',
  'session_token', 'session_jwt', 'magic_links_token', 'pkce_code_verifier', 'secret', 'client_secret', 'password'
])
/** Any other name that ends like one (`stytch_token`, `csrf-token`, `api_secret`). */
const SECRET_QUERY_SUFFIX = /[_-](token|jwt|secret|password)$/

/** A compact JWS or JWE (a JWT) anywhere in a value: `eyJ…` header, then two to four `.`-separated parts. */
const COMPACT_JOSE = /eyJ[A-Za-z0-9_-]*(\.[A-Za-z0-9_-]*){2,4}/

const REDACTED = '[redacted]'

const isSecretName = (name: string): boolean => {
  const lower = name.toLowerCase()
  return SECRET_QUERY_NAMES.has(lower) || SECRET_QUERY_SUFFIX.test(lower)
}

/**
 * The URL with credential-bearing query values replaced. Names and values are compared decoded, as
 * the query parser reads them (`?%74oken=` is `token`, `+` is a space): a credential is redacted
 * however it was encoded. Every other parameter is kept as sent.
 */
export function redactUrl (url: string): string {
  const at = url.indexOf('?')
  if (at === -1) return url
  const parts = url.slice(at + 1).split('&').map((part) => {
    // One parameter through URLSearchParams: the WHATWG decoding (lenient with bad escapes).
    const [name, value] = new URLSearchParams(part).entries().next().value ?? ['', '']
    const eq = part.indexOf('=')
    if (COMPACT_JOSE.test(name)) return REDACTED
    if (eq === -1 || (!isSecretName(name) && !COMPACT_JOSE.test(value))) return part
    return `${part.slice(0, eq)}=${REDACTED}`
  })
  return `${url.slice(0, at)}?${parts.join('&')}`
}

/** What the request serializer reads of a Fastify request (structurally: src/ stays framework-free). */
interface LoggedRequest { method: string, url: string, host: string, ip: string, socket?: { remotePort?: number } | null }

export const logSerializers = {
  req (request: LoggedRequest) {
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
