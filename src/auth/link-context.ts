import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'

/**
 * What an emailed link is for, as this API knew it when it asked Stytch to send the link: the
 * landing page names the organization and the address from it without consuming the token (Stytch
 * has no API that reads a magic link without authenticating it). It travels in the link's redirect
 * URL (Stytch keeps a redirect URL's own query parameters and appends `token`), sealed with
 * AES-256-GCM under a key derived from STYTCH_SECRET: nobody can forge or alter it (a login-CSRF
 * page cannot make an attacker's link name the victim), and the address is not readable in the URL.
 */
export interface LinkContext {
  kind: 'login' | 'invite' | 'discovery'
  /** The organization as the sender named it: the slug (or id) given to sendLoginMagicLink, the inviter's slug; '' for a discovery link. */
  organization: string
  email: string
  /** Whether the link was sent with a PKCE challenge (then only the client holding the verifier can use it). */
  pkce: boolean
  /** When the link expires, epoch ms (computed before the send: never later than Stytch's expiry). */
  expiresAt: number
}

export interface LinkContextSealer {
  seal: (context: LinkContext) => string
  /** The context, or undefined when the value was not sealed by this key (forged, altered, another secret). */
  open: (sealed: string | undefined) => LinkContext | undefined
}

const IV_BYTES = 12
const TAG_BYTES = 16

function parse (json: string): LinkContext | undefined {
  const value = JSON.parse(json) as { k?: unknown, o?: unknown, e?: unknown, p?: unknown, x?: unknown }
  if ((value.k !== 'login' && value.k !== 'invite' && value.k !== 'discovery') || typeof value.o !== 'string' || typeof value.e !== 'string' || typeof value.p !== 'boolean' || typeof value.x !== 'number') return undefined
  return { kind: value.k, organization: value.o, email: value.e, pkce: value.p, expiresAt: value.x }
}

/** Seals and opens link contexts with a key derived from `secret` (every instance with the same secret agrees). */
export function linkContextSealer (secret: string): LinkContextSealer {
  const key = Buffer.from(hkdfSync('sha256', secret, 'b2b-session-api', 'magic-link landing context v1', 32))
  return {
    seal (context) {
      const iv = randomBytes(IV_BYTES)
      const cipher = createCipheriv('aes-256-gcm', key, iv)
      const plain = JSON.stringify({ k: context.kind, o: context.organization, e: context.email, p: context.pkce, x: context.expiresAt })
      const sealed = Buffer.concat([iv, cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()])
      return sealed.toString('base64url')
    },
    open (sealed) {
      if (sealed === undefined) return undefined
      const bytes = Buffer.from(sealed, 'base64url')
      if (bytes.length <= IV_BYTES + TAG_BYTES) return undefined
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES))
        decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES))
        const plain = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()])
        return parse(plain.toString('utf8'))
      } catch {
        return undefined
      }
    }
  }
}
