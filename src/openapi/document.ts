/** Texts of the OpenAPI document that are not tied to one route. */
export const API_DESCRIPTION = [
  'Backend for a B2B SaaS login on Stytch B2B: email magic links, hybrid session authentication',
  '(local session-JWT verification, Stytch only when the JWT is stale), RBAC scoped to the organization.',
  '',
  'Browsers authenticate with the HttpOnly cookies set at login; mobile and API clients send',
  '`Authorization: Bearer <session JWT or session token>`. When a bearer request was authenticated',
  'through Stytch (stale JWT), the fresh session JWT is returned in the `X-Session-JWT` response header.',
  '',
  'Every error has the `ApiError` shape; `code` says why.',
  '',
  'Trying it here: with no Stytch credentials the API runs an embedded Stytch emulator, and every',
  'email it "sends" lands in its outbox, http://127.0.0.1:4010/emulator/outbox (EMULATOR_PORT).',
  'Call sendLoginMagicLink (e.g. admin@acme.test, organization acme) from here, open the link from the',
  'outbox in this browser and press "Log in" (or pass its token to authenticateMagicLink): the session',
  'cookie then authenticates Try it out. A login link works only in the browser that asked for it (PKCE).',
  'Or paste a session JWT (authenticateMagicLink with delivery "body") into Authorize → bearerAuth.'
].join('\n')

export const API_TAGS = [
  { name: 'auth', description: 'Login with email magic links, refresh, logout' },
  { name: 'me', description: 'The authenticated member' },
  { name: 'sessions', description: 'My sessions: list, extend, custom claims, revoke (effective at once on every instance)' },
  { name: 'organizations', description: 'The organization itself: read by its members, changed by its admins (Stytch-owned; enforced by Stytch with the admin\'s session)' },
  { name: 'invitations', description: 'Pending invitations: members whose status is `invited` (list, resend, revoke)' },
  { name: 'members', description: 'Members of an organization (Stytch-owned; enforced by Stytch with the acting member\'s session)' },
  { name: 'audit', description: 'The organization\'s audit trail: security events, for admins' },
  { name: 'documents', description: 'The organization\'s documents (owned by this API; RBAC checked locally)' },
  { name: 'health', description: 'Liveness and readiness probes' }
]
