import type { ServerOptions } from 'node:http'
import type { Config } from './config.js'

export interface ServerTimeouts {
  /** Node's `server.requestTimeout`: the whole request (headers and body) must arrive in time, else 408 and close. */
  requestTimeout: number
  /** Node's `server.setTimeout()`: a socket with no bytes in either direction this long is destroyed. */
  connectionTimeout: number
  /** Node's `server.keepAliveTimeout`: how long an idle keep-alive connection waits for its next request. */
  keepAliveTimeout: number
  /** Options of `http.createServer()` (Fastify passes them through): what Fastify has no option for. */
  http: Pick<ServerOptions, 'headersTimeout' | 'requestTimeout' | 'connectionsCheckingInterval'>
}

/**
 * The server's transport timeouts, so that a client trickling its headers or body, or holding an
 * idle connection, is disconnected instead of holding a socket indefinitely.
 *
 * Node enforces `headersTimeout` and `requestTimeout` only when it sweeps its connections, every
 * `connectionsCheckingInterval` (30 s by default), so a 10 s timeout could bite after 40 s. The
 * sweep here runs four times per shortest timeout (at most every 30 s, at least every 50 ms):
 * a timeout bites within 125 % of its value. A sweep is native code over the open connections.
 */
export function serverTimeouts (config: Pick<Config, 'REQUEST_TIMEOUT_MS' | 'HEADERS_TIMEOUT_MS' | 'KEEP_ALIVE_TIMEOUT_MS' | 'CONNECTION_TIMEOUT_MS'>): ServerTimeouts {
  const shortest = Math.min(config.HEADERS_TIMEOUT_MS, config.REQUEST_TIMEOUT_MS)
  return {
    requestTimeout: config.REQUEST_TIMEOUT_MS,
    connectionTimeout: config.CONNECTION_TIMEOUT_MS,
    keepAliveTimeout: config.KEEP_ALIVE_TIMEOUT_MS,
    http: {
      headersTimeout: config.HEADERS_TIMEOUT_MS,
      requestTimeout: config.REQUEST_TIMEOUT_MS,
      connectionsCheckingInterval: Math.min(30_000, Math.max(50, Math.floor(shortest / 4)))
    }
  }
}
