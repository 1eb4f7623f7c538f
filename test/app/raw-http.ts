import { request } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import type { Test } from 'tap'

export interface RawResponse { statusCode: number, headers: Record<string, string | string[] | undefined>, body: string, json: () => Record<string, unknown> }

/** Starts the app on an ephemeral local port (closed with the test's app). */
export async function listen (app: FastifyInstance): Promise<number> {
  await app.listen({ host: '127.0.0.1', port: 0 })
  return (app.server.address() as AddressInfo).port
}

/**
 * One request with the path exactly as given: unlike fetch and inject, node:http does not
 * normalize `.` and `..` segments, so the server sees what a hostile client would send.
 */
export async function rawRequest (port: number, method: string, path: string, options: { headers?: Record<string, string>, body?: string } = {}): Promise<RawResponse> {
  return await new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { connection: 'close', ...options.headers }, agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { body += chunk })
      res.on('end', () => { resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body) as Record<string, unknown> }) })
    })
    req.on('error', reject)
    req.end(options.body)
  })
}

/** Matches the API's one error shape (DESIGN §6) and nothing else. */
export function assertApiError (t: Test, body: Record<string, unknown>, statusCode: number, code: string | RegExp, what = code.toString()): void {
  t.same(Object.keys(body).sort(), ['code', 'error', 'message', 'requestId', 'statusCode'], `${what}: exactly the ApiError fields`)
  t.match(body, { statusCode, code, error: String, message: String, requestId: String }, what)
}

/** Writes `request` as raw bytes and reads the whole answer, until the server closes the connection. */
export async function rawExchange (port: number, request: string): Promise<{ statusLine: string, headers: Record<string, string>, body: string }> {
  const { connect } = await import('node:net')
  return await new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port })
    let received = ''
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => { received += chunk })
    // The server may close while the request is still being written; what it answered counts.
    socket.on('error', (err) => { if (received === '') reject(err) })
    socket.on('close', () => {
      const [head = '', body = ''] = received.split('\r\n\r\n', 2)
      const [statusLine = '', ...lines] = head.split('\r\n')
      const headers = Object.fromEntries(lines.map((line) => {
        const at = line.indexOf(':')
        return [line.slice(0, at).trim().toLowerCase(), line.slice(at + 1).trim()]
      }))
      resolve({ statusLine, headers, body })
    })
    socket.write(request)
  })
}
