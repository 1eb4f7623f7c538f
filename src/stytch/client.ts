import { B2BClient } from 'stytch'
import { Agent } from 'undici'

export interface StytchClientOptions {
  projectId: string
  secret: string
  /** Base URL of the Stytch API; undefined = Stytch's own (test or live, chosen by the SDK from the project id). */
  apiUrl?: string
  /** Upper bound for connecting to, and for the headers and body of, every Stytch call. */
  timeoutMs: number
}

export interface StytchConnection {
  client: B2BClient
  /** Closes the connection pool; pending calls fail. */
  close (): Promise<void>
}

/**
 * Builds the SDK client. The SDK's own `timeout` option is handed to `fetch`, which ignores it, so
 * a slow Stytch would hang requests for minutes; the undici dispatcher gives every call a real
 * connect, headers and body timeout.
 *
 * A custom API URL: an https one (a proxy in front of Stytch) goes through the SDK's
 * `custom_base_url`; a plain-http one (the emulator) must go through `env`, because
 * `custom_base_url` only accepts https. With `env`, the SDK prints a console warning on every
 * construction ("Using a custom 'env' value ... consider the base_url parameter"): advice that
 * cannot be followed over http, printed outside the logs (a raw line among JSON ones). That one
 * warning is held back while the client is built (synchronously, so nothing else is caught); any
 * other console output goes through. The embedded emulator says what it is in the log instead.
 */
export function createStytchClient (options: StytchClientOptions): StytchConnection {
  const dispatcher = new Agent({
    connect: { timeout: options.timeoutMs },
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    keepAliveTimeout: 10_000
  })
  const apiUrl = options.apiUrl === undefined ? undefined : options.apiUrl.endsWith('/') ? options.apiUrl : `${options.apiUrl}/`
  const client = withoutCustomEnvWarning(() => new B2BClient({
    project_id: options.projectId,
    secret: options.secret,
    ...(apiUrl === undefined ? {} : apiUrl.startsWith('https://') ? { custom_base_url: apiUrl } : { env: apiUrl }),
    // The SDK types `dispatcher` as its own undici's Dispatcher; this is the same undici major.
    dispatcher: dispatcher as never
  }))
  return { client, close: async () => { await dispatcher.close() } }
}

const CUSTOM_ENV_WARNING = /^\[Stytch\] Warning: Using a custom 'env' value /

function withoutCustomEnvWarning<T> (build: () => T): T {
  const warn = console.warn
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && CUSTOM_ENV_WARNING.test(args[0])) return
    warn.apply(console, args)
  }
  try {
    return build()
  } finally {
    console.warn = warn
  }
}
