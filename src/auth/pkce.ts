import { createHash, randomBytes } from 'node:crypto'

/**
 * PKCE (RFC 7636, S256) for email magic links: the client keeps a random verifier, the link is sent
 * with its challenge, and only the verifier completes the login — so a link logs in only the client
 * that asked for it.
 */

/** RFC 7636 §4.1: 43–128 characters of [A-Z a-z 0-9 - . _ ~]. */
export const VERIFIER_PATTERN = '^[A-Za-z0-9._~-]{43,128}$'
/** base64url(SHA-256(verifier)), unpadded: 43 characters. */
export const CHALLENGE_PATTERN = '^[A-Za-z0-9_-]{43}$'
const VERIFIER = new RegExp(VERIFIER_PATTERN)

/** A fresh verifier: 32 random bytes, base64url (43 characters). */
export const newVerifier = (): string => randomBytes(32).toString('base64url')

/** The S256 challenge of a verifier: base64url(SHA-256(verifier)). */
export const challengeOf = (verifier: string): string => createHash('sha256').update(verifier).digest('base64url')

/** How many times `name=` starts a cookie pair in a Cookie header. */
function cookieCount (header: string, name: string): number {
  let count = 0
  for (let at = header.indexOf(name); at !== -1; at = header.indexOf(name, at + name.length)) {
    const before = at === 0 ? ';' : header[at - 1]
    const after = header[at + name.length]
    if ((before === ';' || before === ' ') && (after === '=' || after === ' ')) count++
  }
  return count
}

/**
 * The verifier cookie's value, when the request carries it exactly once and it is well-formed. A
 * name sent twice (a planted cookie beside ours) counts as none: the login then fails closed.
 */
export function verifierFromCookies (cookieHeader: string | undefined, cookies: Record<string, string | undefined>, name: string): string | undefined {
  if (cookieHeader === undefined || cookieCount(cookieHeader, name) !== 1) return undefined
  const value = cookies[name]
  return value !== undefined && VERIFIER.test(value) ? value : undefined
}
