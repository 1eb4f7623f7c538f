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
 * connect, headers and body timeout. A plain-http URL (emulator) must go through `env`, because
 * `custom_base_url` only accepts https.
 */
export function createStytchClient (options: StytchClientOptions): StytchConnection {
  const dispatcher = new Agent({
    connect: { timeout: options.timeoutMs },
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    keepAliveTimeout: 10_000
  })
  const client = new B2BClient({
    project_id: options.projectId,
    secret: options.secret,
    ...(options.apiUrl === undefined ? {} : { env: options.apiUrl.endsWith('/') ? options.apiUrl : `${options.apiUrl}/` }),
    // The SDK types `dispatcher` as its own undici's Dispatcher; this is the same undici major.
    dispatcher: dispatcher as never
  })
  return { client, close: async () => { await dispatcher.close() } }
}
