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
  'Trying it here (Swagger UI): this page is served by the API itself, so it has the same origin as',
  'the API. After a login in this browser, the HttpOnly session cookies are sent automatically with',
  'every "Try it out" request: there is nothing to paste (page scripts cannot read HttpOnly cookies),',
  'and a cookie-authenticated write passes the Origin check because the page is same-origin. To log in',
  'with the embedded emulator (no Stytch credentials set), open `/` of this API: it links to the',
  'emulator\'s mailbox (http://127.0.0.1:4010/emulator/mailbox, EMULATOR_PORT), where every email it',
  '"sends" lands, with the login link printed at start-up for admin@acme.test; open a link there and press',
  '"Log in". More links: sendLoginMagicLink from this page (e.g. admin@acme.test, organization acme; a link',
  'works only in the browser that asked for it, PKCE). logout clears the cookies.',
  'Bearer instead: authenticateMagicLink with delivery "body" returns a session JWT and token; paste',
  'either into Authorize → bearerAuth and every request carries `Authorization: Bearer …`.'
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
  { name: 'health', description: 'Liveness and readiness probes' },
  { name: 'about', description: 'What is running here: an HTML page for browsers, a JSON index for other clients' }
]
