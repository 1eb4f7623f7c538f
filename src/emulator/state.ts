import { type Static } from '@sinclair/typebox'
import { type JWK } from 'jose'
import { type PolicyRole } from '../rbac/policy.js'
import { type ServedPolicy } from './policy.js'
import { type LinkTypeSchema, type OutboxMessageSchema } from './schemas.js'

/** A role of a policy (project or organization): the actions it grants per resource (src/rbac/policy.ts). */
export type { PolicyPermission, PolicyResource, PolicyRole } from '../rbac/policy.js'

export interface EmailImplicitRoleAssignment { domain: string, role_id: string }

/** Stored exactly in Stytch's public Organization shape (reference §4.1). */
export interface Organization {
  organization_id: string
  organization_name: string
  organization_slug: string
  organization_logo_url: string
  trusted_metadata: Record<string, unknown>
  organization_external_id?: string
  sso_jit_provisioning: string
  sso_jit_provisioning_allowed_connections: string[]
  sso_active_connections: Array<{ connection_id: string, display_name: string, identity_provider: string }>
  sso_default_connection_id?: string
  email_allowed_domains: string[]
  email_jit_provisioning: string
  email_invites: string
  auth_methods: string
  allowed_auth_methods: string[]
  mfa_policy: string
  mfa_methods: string
  allowed_mfa_methods: string[]
  rbac_email_implicit_role_assignments: EmailImplicitRoleAssignment[]
  oauth_tenant_jit_provisioning: string
  allowed_oauth_tenants: Record<string, unknown>
  claimed_email_domains: string[]
  first_party_connected_apps_allowed_type: string
  allowed_first_party_connected_apps: string[]
  third_party_connected_apps_allowed_type: string
  allowed_third_party_connected_apps: string[]
  custom_roles: PolicyRole[]
  created_at: string
  updated_at: string
}

export type MemberStatus = 'active' | 'pending' | 'invited' | 'deleted'

/** A member as stored; roles and `is_admin` are derived when it is serialized (see store.ts). */
export interface StoredMember {
  member_id: string
  organization_id: string
  email_address: string
  email_id: string
  status: MemberStatus
  name: string
  is_breakglass: boolean
  email_address_verified: boolean
  mfa_phone_number: string
  mfa_enrolled: boolean
  default_mfa_method: string
  explicit_roles: string[]
  trusted_metadata: Record<string, unknown>
  untrusted_metadata: Record<string, unknown>
  retired_email_addresses: Array<{ email_id: string, email_address: string }>
  external_id?: string
  created_at: string
  updated_at: string
}

export type LinkType = Static<typeof LinkTypeSchema>

export interface StoredMagicLink {
  type: LinkType
  member_id: string
  organization_id: string
  email_address: string
  pkce_code_challenge?: string
  expires_at_ms: number
  used: boolean
  revoked: boolean
}

export interface AuthenticationFactor {
  type: string
  delivery_method: string
  last_authenticated_at: string
  created_at: string
  updated_at: string
  email_factor: { email_id: string, email_address: string }
}

export interface StoredSession {
  member_session_id: string
  member_id: string
  organization_id: string
  session_token: string
  started_at_ms: number
  last_accessed_at_ms: number
  expires_at_ms: number
  authentication_factors: AuthenticationFactor[]
  custom_claims: Record<string, unknown>
  revoked: boolean
}

/** A discovery magic link (reference §12): for an email address, not for an organization. */
export interface StoredDiscoveryLink {
  email_address: string
  pkce_code_challenge?: string
  expires_at_ms: number
  used: boolean
}

/**
 * An intermediate session (reference §12): a verified email and the factors it was proven with, not yet
 * a member of any organization. Single use: spent by a successful exchange or organization create.
 */
export interface StoredIntermediateSession {
  email_address: string
  authentication_factors: AuthenticationFactor[]
  /** Set when the token came from an exchange into this organization that needed more factors. */
  organization_id?: string
  expires_at_ms: number
  used: boolean
}

/** An email the emulator "sent": what GET /emulator/outbox lists. */
export type OutboxMessage = Static<typeof OutboxMessageSchema>

export interface SigningKey { kid: string, privateKey: CryptoKey, publicJwk: JWK }

export interface Fault {
  endpoint: string | null
  latency_ms: number
  error_rate: number
  error_status: number
  down: 'reset' | 'refuse' | false
  malformed: boolean
}

export interface EmulatorConfig { clock_offset_seconds: number, jwt_lifetime_seconds: number }

export interface ResolvedOptions {
  projectId: string
  secret: string
  seed: boolean
  defaultRedirectUrl: string
  jwtLifetimeSeconds: number
  loginLinkMinutes: number
  inviteLinkMinutes: number
}

export interface EmulatorState {
  readonly options: ResolvedOptions
  /** Stytch's default RBAC policy merged with the project's policy file (read once at start). */
  readonly policy: ServedPolicy
  config: EmulatorConfig
  organizations: Map<string, Organization>
  members: Map<string, StoredMember>
  /** Keyed by SHA-256 of the token: the raw token only lives in the outbox. */
  magicLinks: Map<string, StoredMagicLink>
  /** Discovery links, keyed by SHA-256 of the token. */
  discoveryLinks: Map<string, StoredDiscoveryLink>
  /** Intermediate sessions, keyed by SHA-256 of the intermediate_session_token. */
  intermediateSessions: Map<string, StoredIntermediateSession>
  sessions: Map<string, StoredSession>
  /** session_token → member_session_id (raw tokens are kept: a JWT authenticate must return the token). */
  sessionsByToken: Map<string, string>
  outbox: OutboxMessage[]
  keys: { current: SigningKey, previous: SigningKey[] }
  calls: Map<string, number>
  /** Keyed by endpoint ('METHOD /template'), '*' for the global fault. */
  faults: Map<string, Fault>
  /** Every Stytch route as 'METHOD /template', filled as routes register (fault targets are checked against it). */
  routes: Set<string>
}

export function createState (options: ResolvedOptions, policy: ServedPolicy, signingKey: SigningKey): EmulatorState {
  return {
    options,
    policy,
    config: { clock_offset_seconds: 0, jwt_lifetime_seconds: options.jwtLifetimeSeconds },
    organizations: new Map(),
    members: new Map(),
    magicLinks: new Map(),
    discoveryLinks: new Map(),
    intermediateSessions: new Map(),
    sessions: new Map(),
    sessionsByToken: new Map(),
    outbox: [],
    keys: { current: signingKey, previous: [] },
    calls: new Map(),
    faults: new Map(),
    routes: new Set()
  }
}

/** The emulator's "now" in epoch ms: real time shifted by the configured clock offset. */
export function nowMs (state: EmulatorState): number {
  return Date.now() + state.config.clock_offset_seconds * 1000
}

/**
 * Wipes all data, counters, faults and run-time config. The current signing key is kept (older ones are
 * dropped): apps under test cache the JWKS, and a brand-new kid right after a reset could hit jose's
 * 30-second refetch cooldown.
 */
export function clearState (state: EmulatorState): void {
  state.config = { clock_offset_seconds: 0, jwt_lifetime_seconds: state.options.jwtLifetimeSeconds }
  state.organizations.clear()
  state.members.clear()
  state.magicLinks.clear()
  state.discoveryLinks.clear()
  state.intermediateSessions.clear()
  state.sessions.clear()
  state.sessionsByToken.clear()
  state.outbox.length = 0
  state.keys.previous = []
  state.calls.clear()
  state.faults.clear()
}
