import { createHash, randomBytes, randomUUID } from 'node:crypto'

/** Stytch test-environment id shapes (`organization-test-<uuid>` ...); callers must treat them as opaque. */
export function newId (kind: 'organization' | 'member' | 'session' | 'email' | 'jwk'): string {
  return `${kind}-test-${randomUUID()}`
}

export function requestId (): string {
  return `request-id-test-${randomUUID()}`
}

/** 33 random bytes → 44 URL-safe base64 characters, the length of real Stytch tokens. */
export function newToken (): string {
  return randomBytes(33).toString('base64url')
}

export function sha256Hex (value: string): string {
  return createHash('sha256').update(value).digest('hex')
}

/** RFC 3339 UTC without milliseconds, as Stytch formats timestamps (e.g. `2021-12-29T12:33:09Z`). */
export function rfc3339 (epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace('.000Z', 'Z')
}
