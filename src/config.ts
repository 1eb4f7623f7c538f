import { Type, type Static } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'

const Bool = Type.Boolean()
const Port = Type.Integer({ minimum: 0, maximum: 65535 })

/**
 * Every setting of the API, read from the environment. This schema is the single source: the
 * `Config` type is derived from it, `.env.example` and the README table document it.
 */
export const EnvSchema = Type.Object({
  HOST: Type.String({ default: '127.0.0.1', minLength: 1 }),
  PORT: Type.Integer({ default: 3000, minimum: 0, maximum: 65535 }),
  LOG_LEVEL: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), { default: 'info' }),
  NODE_ENV: Type.Optional(Type.String()),

  STYTCH_PROJECT_ID: Type.Optional(Type.String({ minLength: 1 })),
  STYTCH_SECRET: Type.Optional(Type.String({ minLength: 1 })),
  STYTCH_API_URL: Type.Optional(Type.String({ pattern: '^https?://[^\\s]+$' })),
  STYTCH_TIMEOUT_MS: Type.Integer({ default: 3000, minimum: 100, maximum: 60000 }),
  EMULATOR_PORT: { ...Port, default: 4010 },

  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://', description: 'PostgreSQL connection URL; unset = embedded PGlite in DATA_DIR' })),
  DATA_DIR: Type.String({ default: '.data', minLength: 1 }),

  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://', description: 'Redis shared by all instances (revocations); unset = per process' })),
  REDIS_PREFIX: Type.String({ default: 'b2b-session-api:', maxLength: 100 }),
  REVOCATION_ACK_TIMEOUT_MS: Type.Integer({ default: 250, minimum: 1, maximum: 10000 }),

  PUBLIC_URL: Type.Optional(Type.String({ pattern: '^https?://[^\\s/]+(:\\d+)?$', description: 'public origin of this API, no trailing slash' })),
  CORS_ORIGINS: Type.String({ default: '' }),
  LOGIN_REDIRECT_URLS: Type.String({ default: '' }),
  TRUST_PROXY: Type.String({ default: '' }),
  BODY_LIMIT_BYTES: Type.Integer({ default: 65536, minimum: 1024 }),
  PLUGIN_TIMEOUT_MS: Type.Integer({ default: 120_000, minimum: 0, description: 'how long each plugin may take to start (e.g. PGlite, migrations); 0 = no limit' }),
  REQUEST_TIMEOUT_MS: Type.Integer({ default: 30000, minimum: 100, maximum: 3600000, description: 'a request (headers and body) must arrive within this time, else 408 and close' }),
  HEADERS_TIMEOUT_MS: Type.Integer({ default: 10000, minimum: 100, maximum: 3600000, description: 'the request headers must arrive within this time (at most REQUEST_TIMEOUT_MS)' }),
  KEEP_ALIVE_TIMEOUT_MS: Type.Integer({ default: 5000, minimum: 100, maximum: 3600000, description: 'an idle keep-alive connection is closed after this time' }),
  CONNECTION_TIMEOUT_MS: Type.Integer({ default: 60000, minimum: 100, maximum: 3600000, description: 'a connection with no bytes in either direction for this long is destroyed' }),
  DOCS_ENABLED: { ...Bool, default: true, description: 'serve Swagger UI and the spec at /docs' },
  METRICS_ENABLED: { ...Bool, default: true, description: 'collect Prometheus metrics and serve them at /metrics (see METRICS_TOKEN, METRICS_PORT)' },
  METRICS_TOKEN: Type.Optional(Type.String({ minLength: 16, description: 'bearer token /metrics requires; unset = no token (in production /metrics then needs METRICS_PORT)' })),
  METRICS_PORT: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, description: '/metrics on its own listener at HOST:METRICS_PORT instead of the API port' })),
  OTEL_ENABLED: { ...Bool, default: false, description: 'OpenTelemetry tracing (spans for requests, Stytch calls, DB queries), exported over OTLP/HTTP; off = nothing of it is loaded' },
  OTEL_EXPORTER_OTLP_ENDPOINT: Type.Optional(Type.String({ pattern: '^https?://[^\\s]+$', description: 'OTLP/HTTP collector base URL (traces go to /v1/traces); setting it turns tracing on' })),
  OTEL_SERVICE_NAME: Type.String({ default: 'b2b-session-api', minLength: 1 }),
  OTEL_TRACES_SAMPLE_RATIO: Type.Number({ default: 1, minimum: 0, maximum: 1, description: 'share of new traces recorded (parent-based: a trusted proxy\'s sampled traceparent is followed)' }),

  COOKIE_SECURE: { ...Bool, default: true },
  COOKIE_HOST_PREFIX: Type.Optional(Type.Boolean({ description: 'default: on whenever COOKIE_SECURE is (the cookies are host-only)' })),
  SESSION_COOKIE_NAME: Type.String({ default: 'stytch_session', pattern: '^[A-Za-z0-9_-]+$' }),
  SESSION_JWT_COOKIE_NAME: Type.String({ default: 'stytch_session_jwt', pattern: '^[A-Za-z0-9_-]+$' }),
  SESSION_DURATION_MINUTES: Type.Integer({ default: 60 * 24 * 7, minimum: 5, maximum: 527040 }),
  SESSION_MAX_LIFETIME_MINUTES: Type.Integer({ default: 60 * 24 * 30, minimum: 5, maximum: 527040 }),
  // Stytch's bounds for link lifetimes: 5 minutes to one week.
  MAGIC_LINK_LOGIN_EXPIRATION_MINUTES: Type.Integer({ default: 15, minimum: 5, maximum: 10080, description: 'lifetime of login and sign-up links (and of the browser\'s PKCE verifier cookie)' }),
  MAGIC_LINK_INVITE_EXPIRATION_MINUTES: Type.Integer({ default: 60 * 24 * 7, minimum: 5, maximum: 10080, description: 'lifetime of invite links' }),
  DISCOVERY_CREATE_ORGANIZATIONS: Type.Optional(Type.Boolean({ description: 'whether a discovery login may create a new organization (its creator becomes stytch_admin); default: on with the embedded emulator, off with real Stytch credentials' })),
  JWT_CLOCK_TOLERANCE_SECONDS: Type.Integer({ default: 5, minimum: 0, maximum: 60 }),
  JWT_MAX_AGE_SECONDS: Type.Integer({ default: 300, minimum: 1 }),
  JWT_CACHE_ENTRIES: Type.Integer({ default: 100_000, minimum: 0, maximum: 10_000_000, description: 'verified JWTs remembered (a digest and the derived context each; the oldest goes first); 0 = every request verifies its signature' }),
  JWKS_CACHE_SECONDS: Type.Integer({ default: 600, minimum: 1 }),
  JWKS_REFETCH_COOLDOWN_SECONDS: Type.Integer({ default: 1, minimum: 0, maximum: 60, description: 'global floor between JWKS fetches caused by unknown kids' }),

  STYTCH_MAX_CONCURRENT: Type.Integer({ default: 64, minimum: 1, maximum: 10000 }),
  STYTCH_MAX_QUEUED: Type.Integer({ default: 64, minimum: 0, maximum: 100000 }),
  STYTCH_QUEUE_TIMEOUT_MS: Type.Integer({ default: 1000, minimum: 1, maximum: 60000 }),
  SLOW_PATH_REJECTIONS_PER_IP: Type.Integer({ default: 20, minimum: 1 }),
  SLOW_PATH_WINDOW_SECONDS: Type.Integer({ default: 60, minimum: 1 }),
  REJECTED_CREDENTIAL_CACHE_SECONDS: Type.Integer({ default: 60, minimum: 0 }),
  RATE_LIMIT_AUTH_PER_IP: Type.Integer({ default: 60, minimum: 1 }),
  RATE_LIMIT_AUTH_PER_CREDENTIAL: Type.Integer({ default: 10, minimum: 1 }),
  RATE_LIMIT_AUTH_WINDOW_SECONDS: Type.Integer({ default: 60, minimum: 1 }),

  RATE_LIMIT_LOGIN_PER_IP: Type.Integer({ default: 20, minimum: 1 }),
  RATE_LIMIT_LOGIN_PER_EMAIL: Type.Integer({ default: 5, minimum: 1 }),
  RATE_LIMIT_WINDOW_SECONDS: Type.Integer({ default: 600, minimum: 1 })
})

type Env = Static<typeof EnvSchema>

/** Validated settings, with the comma lists split and the derived values filled in. */
export interface Config extends Omit<Env, 'CORS_ORIGINS' | 'LOGIN_REDIRECT_URLS' | 'TRUST_PROXY' | 'PUBLIC_URL' | 'COOKIE_HOST_PREFIX'> {
  PUBLIC_URL: string
  COOKIE_HOST_PREFIX: boolean
  CORS_ORIGINS: string[]
  LOGIN_REDIRECT_URLS: string[]
  TRUST_PROXY: string[]
}

export class ConfigError extends Error {
  constructor (readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}

/** Where variables came from when a dotenv file was read (src/env-file.ts): its problems say so. */
export interface EnvFileOrigin { path: string, loaded: ReadonlySet<string> }

/** A URL's password (`postgres://app:pw@db/app`) is a secret: never echoed in a configuration error. */
const withoutPassword = (value: string | undefined): string | undefined =>
  value?.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/?#@:]*:)[^/?#@]*@/i, '$1(hidden)@')

const splitList = (value: string): string[] => value.split(',').map((s) => s.trim()).filter((s) => s.length > 0)

/**
 * Reads and validates the configuration. Every bad variable is reported at once, so one start-up
 * attempt tells the operator everything to fix. Empty strings count as unset.
 */
export function loadConfig (source: Record<string, string | undefined> = process.env, envFile?: EnvFileOrigin): Config {
  const known = Object.keys(EnvSchema.properties)
  const data: Record<string, unknown> = {}
  for (const key of known) {
    const value = source[key]
    if (value !== undefined && value !== '') data[key] = value
  }
  const converted = Value.Convert(EnvSchema, Value.Default(EnvSchema, data))
  const problems = [...Value.Errors(EnvSchema, converted)].map((e) => {
    const name = e.path.replace(/^\//, '')
    const shown = name.includes('SECRET') || name.includes('TOKEN') ? '(hidden)' : JSON.stringify(withoutPassword(source[name]))
    const from = envFile?.loaded.has(name) === true ? `, from ${envFile.path}` : ''
    return `${name}: ${e.message} (got ${shown}${from})`
  })
  const env = converted as Env
  if ((env.STYTCH_PROJECT_ID === undefined) !== (env.STYTCH_SECRET === undefined)) {
    problems.push('STYTCH_PROJECT_ID and STYTCH_SECRET: set both (real Stytch or a standalone emulator) or neither (embedded emulator)')
  }
  if (env.HEADERS_TIMEOUT_MS > env.REQUEST_TIMEOUT_MS) {
    problems.push(`HEADERS_TIMEOUT_MS (${env.HEADERS_TIMEOUT_MS}) must not exceed REQUEST_TIMEOUT_MS (${env.REQUEST_TIMEOUT_MS}): the headers are part of the request`)
  }
  if (env.NODE_ENV === 'production' && env.STYTCH_SECRET === undefined) {
    problems.push('STYTCH_PROJECT_ID and STYTCH_SECRET are required when NODE_ENV=production: the embedded emulator is for development only')
  }
  const config: Config = {
    ...env,
    PUBLIC_URL: env.PUBLIC_URL ?? `http://${env.HOST === '0.0.0.0' ? '127.0.0.1' : env.HOST}:${env.PORT}`,
    // Our cookies are always host-only (no Domain, Path=/): Secure ones can carry the __Host- prefix,
    // which keeps a sibling subdomain from planting (tossing) a cookie of the same name.
    COOKIE_HOST_PREFIX: env.COOKIE_HOST_PREFIX ?? env.COOKIE_SECURE,
    CORS_ORIGINS: splitList(env.CORS_ORIGINS),
    LOGIN_REDIRECT_URLS: splitList(env.LOGIN_REDIRECT_URLS),
    TRUST_PROXY: splitList(env.TRUST_PROXY)
  }
  for (const url of [...config.CORS_ORIGINS, ...config.LOGIN_REDIRECT_URLS]) {
    if (!URL.canParse(url)) problems.push(`not a URL: ${JSON.stringify(url)} (in CORS_ORIGINS or LOGIN_REDIRECT_URLS)`)
  }
  if (problems.length > 0) throw new ConfigError(problems)
  return config
}

/** True when no Stytch credentials are configured: the process then runs the embedded emulator. */
export const usesEmbeddedEmulator = (config: Config): boolean => config.STYTCH_SECRET === undefined

/** The path of the browser landing page of emailed links (GET) and of its confirmation form (POST). */
export const MAGIC_LINK_CALLBACK_PATH = '/v1/auth/magic-links/callback'
/** Landing page of emailed discovery links (login without an organization) and where its button posts. */
export const DISCOVERY_CALLBACK_PATH = '/v1/auth/discovery/callback'
/** Where the discovery "ask for a new link" form posts. */
export const DISCOVERY_SEND_PATH = '/v1/auth/discovery/send'

/** Where emailed links land: this API's browser callback, built from configuration only (never from a request). */
export const magicLinkCallbackUrl = (config: Config): string => `${config.PUBLIC_URL}${MAGIC_LINK_CALLBACK_PATH}`
