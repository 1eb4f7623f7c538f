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

type BrowserHeaders = Parameters<typeof isAllowedOrigin>[0]

/**
 * The stricter rule of this API's own HTML forms (the magic-link confirmation): the browser says
 * the request comes from a page of this very origin. `Sec-Fetch-Site` (which page scripts cannot
 * set) decides when the browser sends it; otherwise `Origin` must be PUBLIC_URL's origin. Neither
 * header: refused (every browser sends one of them on a form post).
 */
export function isSameOriginRequest (headers: BrowserHeaders, config: Config): boolean {
  const site = headers['sec-fetch-site']
  if (site !== undefined) return site === 'same-origin'
  return headers.origin === new URL(config.PUBLIC_URL).origin
}

/**
 * For anonymous requests that set a cookie (sending a login link sets the PKCE verifier cookie):
 * not a browser at all (neither header), or a browser on this origin or an allowed SPA origin. A
 * cross-site page cannot make a browser ask for a link (and so hold a verifier) it did not ask for.
 */
export function isTrustedOrNotBrowser (headers: BrowserHeaders, config: Config): boolean {
  if (headers.origin === undefined && headers['sec-fetch-site'] === undefined) return true
  return isSameOriginRequest(headers, config) || isAllowedOrigin(headers, config)
}
