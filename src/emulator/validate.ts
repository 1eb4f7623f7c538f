import { StytchApiError } from './errors.js'
import { defaults, errors, reservedClaimNames } from './inferred.js'
import { roleExists } from './policy.js'
import { type EmulatorState, type Organization } from './state.js'

type JsonObject = Record<string, unknown>

// Deliberately loose (one @, a dot in the domain, no spaces): rejects obvious garbage without
// second-guessing addresses Stytch would accept.
const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/
const slugPattern = /^[A-Za-z0-9\-._~]{2,128}$/

/** Validates and normalizes (lower-cases) an email address. */
export function normalizeEmail (email: string): string {
  const trimmed = email.trim().toLowerCase()
  if (!emailPattern.test(trimmed)) throw new StytchApiError(errors.invalidEmail)
  return trimmed
}

export function emailDomain (email: string): string {
  return email.slice(email.lastIndexOf('@') + 1)
}

export function checkSlug (slug: string): void {
  if (!slugPattern.test(slug)) throw new StytchApiError(errors.invalidSlug)
}

export function checkOrganizationName (name: string): void {
  if (name.length < 1 || name.length > 128) throw new StytchApiError(errors.invalidOrganizationName)
}

function byteSize (value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8')
}

/** Copies a key onto an object without ever touching its prototype (`__proto__` is a plain key here). */
function setKey (target: JsonObject, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
}

/**
 * Metadata update rule ([docs] object-update-behavior): top-level merge, a top-level `null` deletes the key,
 * nested values replace wholesale; at most 20 top-level keys and 4 KB.
 */
export function mergeMetadata (current: JsonObject, update: JsonObject): JsonObject {
  const merged: JsonObject = {}
  for (const [key, value] of Object.entries(current)) setKey(merged, key, value)
  for (const [key, value] of Object.entries(update)) {
    if (value === null) delete merged[key]
    else setKey(merged, key, structuredClone(value))
  }
  checkMetadataLimits(merged)
  return merged
}

export function checkMetadataLimits (metadata: JsonObject): void {
  if (Object.keys(metadata).length > defaults.metadataMaxKeys) throw new StytchApiError(errors.metadataTooManyKeys)
  if (byteSize(metadata) > defaults.metadataMaxBytes) throw new StytchApiError(errors.metadataTooLarge)
}

/** Metadata given on create: same limits, `null` values dropped. */
export function initialMetadata (value: JsonObject | undefined): JsonObject {
  return value === undefined ? {} : mergeMetadata({}, value)
}

/** Explicit roles given on create/invite/update: known role ids only, never `stytch_member`. */
export function checkExplicitRoles (state: EmulatorState, organization: Organization, roles: string[]): string[] {
  for (const roleId of roles) {
    if (roleId === 'stytch_member') throw new StytchApiError(errors.cannotAssignDefaultRole)
    if (!roleExists(state.policy, organization, roleId)) {
      throw new StytchApiError(errors.invalidRoleId, `Role ${roleId} does not exist in the RBAC policy.`)
    }
  }
  return [...new Set(roles)]
}

export function checkSessionDuration (minutes: number | undefined): void {
  if (minutes === undefined) return
  if (!Number.isInteger(minutes) || minutes < defaults.sessionDurationMin || minutes > defaults.sessionDurationMax) {
    throw new StytchApiError(errors.invalidSessionDuration)
  }
}

export function linkMinutes (minutes: number | undefined, fallback: number): number {
  if (minutes === undefined) return fallback
  if (!Number.isInteger(minutes) || minutes < defaults.linkExpirationMin || minutes > defaults.linkExpirationMax) {
    throw new StytchApiError(errors.invalidExpirationMinutes)
  }
  return minutes
}

/** Rejects reserved names in a custom-claims update (checked before anything changes). */
export function checkCustomClaimNames (claims: JsonObject | undefined): void {
  if (claims === undefined) return
  for (const key of Object.keys(claims)) {
    if (key.startsWith('https://stytch.com/')) throw new StytchApiError(errors.stytchClaims)
    if (reservedClaimNames.includes(key)) throw new StytchApiError(errors.reservedClaims)
  }
}

function isPlainObject (value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** [docs] custom-claims merge: new keys added, existing replaced, `null` deletes, nested objects merge recursively. */
function mergeClaimsDeep (current: JsonObject, update: JsonObject): JsonObject {
  const merged: JsonObject = {}
  for (const [key, value] of Object.entries(current)) setKey(merged, key, value)
  for (const [key, value] of Object.entries(update)) {
    const existing = merged[key]
    if (value === null) delete merged[key]
    else if (isPlainObject(value) && isPlainObject(existing)) setKey(merged, key, mergeClaimsDeep(existing, value))
    else if (isPlainObject(value)) setKey(merged, key, mergeClaimsDeep({}, value))
    else setKey(merged, key, structuredClone(value))
  }
  return merged
}

/** The session's claims after an update, enforcing the 4 KB cap on the result. */
export function mergeCustomClaims (current: JsonObject, update: JsonObject | undefined): JsonObject {
  if (update === undefined) return current
  checkCustomClaimNames(update)
  const merged = mergeClaimsDeep(current, update)
  if (byteSize(merged) > defaults.customClaimsMaxBytes) throw new StytchApiError(errors.customClaimsTooLarge)
  return merged
}

/** A redirect URL must be an absolute http(s) URL; the link is built on it. */
export function checkRedirectUrl (url: string): URL {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new StytchApiError(errors.invalidRedirectUrl)
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new StytchApiError(errors.invalidRedirectUrl)
  return parsed
}
