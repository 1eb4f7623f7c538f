import { Type } from '@sinclair/typebox'

/**
 * The values that reach Stytch (ids, slugs, tokens, emails), validated once here and used
 * everywhere. The SDK puts ids into URL paths (percent-encoded, but `.` and `..` survive encoding
 * as dot-segments), so an id that is not in Stytch's format never reaches it: `..` as a member id
 * would turn `DELETE .../organizations/{org}/members/{member}` into `DELETE .../organizations/{org}/`,
 * the delete-organization endpoint (issue 14).
 *
 * Stytch ids are `<kind>-test-<uuid>` / `<kind>-live-<uuid>` (reference §2); the patterns below accept
 * that prefix followed by URL-unreserved characters other than `.` and `~`, so no id can be or contain a
 * dot-segment or a `/`.
 */

/** Longest id or slug Stytch issues or accepts. */
export const MAX_ID_LENGTH = 128

/**
 * The router's limit for one path parameter (Fastify's `maxParamLength`; longer is a 414 before any
 * schema runs). Above every id's own limit, so an over-long id is a 400 naming the field, and every
 * id a schema accepts gets through the router (Fastify's default, 100, refused ids of 101–128).
 */
export const MAX_PATH_PARAM_LENGTH = 200

const stytchId = (kind: string, example: string, description: string) => Type.String({
  pattern: `^${kind}-(test|live)-[A-Za-z0-9_-]+$`,
  maxLength: MAX_ID_LENGTH,
  description,
  examples: [example]
})

export const MemberIdSchema = stytchId('member', 'member-test-5d4c0c55-2a7e-4a1c-9a1e-1f6a7b7d9e01', 'a Stytch member id (`member-test-…` or `member-live-…`)')
export const SessionIdSchema = stytchId('session', 'session-test-0b0f1c7e-6f7c-4a57-9a57-5c1f3f0b2a11', 'a Stytch member session id (`session-test-…` or `session-live-…`)')

/**
 * An organization id or slug (Stytch accepts either wherever an organization id is expected). Slugs are
 * `A-Za-z0-9` and `-._~`, 2–128 characters (reference §4.1); ids (`organization-test-…`) fit the same
 * pattern. A value made only of dots (`..`, `...`) is refused: it is a path segment, not a slug.
 */
export const ORGANIZATION_REF_PATTERN = '^(?!\\.+$)[A-Za-z0-9._~-]{2,128}$'
export const OrganizationRefSchema = Type.String({ pattern: ORGANIZATION_REF_PATTERN, description: 'organization id or slug', examples: ['acme'] })

export const EmailAddressSchema = Type.String({ format: 'email', maxLength: 254, examples: ['admin@acme.test'] })
export const MagicLinkTokenSchema = Type.String({ pattern: '^[A-Za-z0-9_=-]{20,200}$', description: 'the `token` query parameter of the emailed link' })
export const SessionTokenSchema = Type.String({ pattern: '^[A-Za-z0-9_-]{20,200}$', description: 'opaque Stytch session token' })
export const RoleIdSchema = Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$', examples: ['editor'] })

// Path parameters: every id in a URL of this API is one of the above.

export const OrganizationParamsSchema = Type.Object({
  organizationId: Type.String({ pattern: ORGANIZATION_REF_PATTERN, description: 'organization id or slug; must be the session\'s organization' })
})

export const MemberParamsSchema = Type.Object({
  organizationId: OrganizationParamsSchema.properties.organizationId,
  memberId: MemberIdSchema
})

export const SessionIdParamsSchema = Type.Object({
  sessionId: SessionIdSchema
})
