import type { CookieSerializeOptions } from '@fastify/cookie'
import type { FastifyReply } from 'fastify'
import type { Config } from '../config.js'

export interface CookieNames { session: string, jwt: string }

/** Cookie names: Stytch's frontend-SDK names unless configured, with the `__Host-` prefix when enabled. */
export function cookieNames (config: Config): CookieNames {
  const prefix = config.COOKIE_HOST_PREFIX ? '__Host-' : ''
  return { session: `${prefix}${config.SESSION_COOKIE_NAME}`, jwt: `${prefix}${config.SESSION_JWT_COOKIE_NAME}` }
}

function baseOptions (config: Config): CookieSerializeOptions {
  // __Host- cookies must be Secure, have Path=/ and no Domain: the defaults here satisfy that.
  return { httpOnly: true, secure: config.COOKIE_SECURE || config.COOKIE_HOST_PREFIX, sameSite: 'lax', path: '/' }
}

/** Max-Age in whole seconds until `expiresAt` (at least 0). */
const secondsUntil = (expiresAt: string, now: number): number => Math.max(0, Math.floor((Date.parse(expiresAt) - now) / 1000))

/**
 * Writes both session cookies. Both live as long as the session (the JWT inside expires sooner,
 * but its cookie must outlive it so an expired JWT can be swapped for a fresh one on the slow path).
 */
export function setSessionCookies (reply: FastifyReply, config: Config, tokens: { session_token: string, session_jwt: string, expires_at: string }): void {
  const names = cookieNames(config)
  const options = { ...baseOptions(config), maxAge: secondsUntil(tokens.expires_at, Date.now()) }
  void reply.setCookie(names.session, tokens.session_token, options)
  void reply.setCookie(names.jwt, tokens.session_jwt, options)
}

export function clearSessionCookies (reply: FastifyReply, config: Config): void {
  const names = cookieNames(config)
  void reply.clearCookie(names.session, baseOptions(config))
  void reply.clearCookie(names.jwt, baseOptions(config))
}
