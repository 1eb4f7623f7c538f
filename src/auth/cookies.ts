import type { Config } from '../config.js'

export interface CookieNames { session: string, jwt: string }

/** Cookie names: Stytch's frontend-SDK names unless configured, with the `__Host-` prefix when enabled. */
export function cookieNames (config: Config): CookieNames {
  const prefix = config.COOKIE_HOST_PREFIX ? '__Host-' : ''
  return { session: `${prefix}${config.SESSION_COOKIE_NAME}`, jwt: `${prefix}${config.SESSION_JWT_COOKIE_NAME}` }
}

/**
 * The browser's PKCE verifier cookie of magic-link logins (set by sendLoginMagicLink, read by the
 * callback): same prefix rule as the session cookies, so a sibling subdomain cannot plant one.
 */
export const verifierCookieName = (config: Config): string => `${config.COOKIE_HOST_PREFIX ? '__Host-' : ''}stytch_pkce_verifier`

/** The attributes both session cookies (and the verifier cookie) are written (and cleared) with: they must match. */
export interface SessionCookieOptions { httpOnly: true, secure: boolean, sameSite: 'lax', path: '/' }

export function cookieOptions (config: Config): SessionCookieOptions {
  // __Host- cookies must be Secure, have Path=/ and no Domain: the defaults here satisfy that.
  return { httpOnly: true, secure: config.COOKIE_SECURE || config.COOKIE_HOST_PREFIX, sameSite: 'lax', path: '/' }
}

/** Max-Age in whole seconds until `expiresAt` (at least 0). */
export const secondsUntil = (expiresAt: string, now: number): number => Math.max(0, Math.floor((Date.parse(expiresAt) - now) / 1000))

/**
 * The browser's intermediate-session cookie of discovery logins (set once the emailed link is
 * confirmed, read when the browser picks or creates an organization): same prefix rule.
 */
export const intermediateCookieName = (config: Config): string => `${config.COOKIE_HOST_PREFIX ? '__Host-' : ''}stytch_intermediate_session`
