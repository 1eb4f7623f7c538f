import type { Config } from '../config.js'

/**
 * CSRF defence for cookie-authenticated state changes: the browser must say the request comes from
 * this API's own origin or from an allow-listed SPA origin. `Sec-Fetch-Site: same-origin` counts as
 * proof too. A request with neither header is refused: browsers always send one of them on
 * cross-site unsafe requests, and non-browser clients should use bearer tokens.
 */
export function isAllowedOrigin (headers: { origin?: string | undefined, 'sec-fetch-site'?: string | string[] | undefined }, config: Config): boolean {
  const origin = headers.origin
  if (origin !== undefined) {
    return origin === new URL(config.PUBLIC_URL).origin || config.CORS_ORIGINS.includes(origin)
  }
  return headers['sec-fetch-site'] === 'same-origin'
}
