import { spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { connect, createServer, type Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { Redis } from 'ioredis'
import type { Test } from 'tap'
import type { RevocationLog } from '../../src/revocation/store.js'

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'

/** A one-shot client that gives up at once instead of reconnecting: for probes and raw checks. */
export function rawClient (url: string): Redis {
  return new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout: 1000 })
}

/** Undefined when Redis answers at `url`, else why not. */
export async function redisUnreachable (url = REDIS_URL): Promise<string | undefined> {
  const client = rawClient(url)
  client.on('error', () => {})
  try {
    await client.connect()
    await client.ping()
    return undefined
  } catch (err) {
    return `Redis unreachable at ${url}: ${(err as Error).message}`
  } finally {
    client.disconnect()
  }
}

/**
 * Whether a file's Redis tests can run. In CI a missing Redis is a failure, not a skip; elsewhere
 * the skip is loud so nobody mistakes it for a pass.
 */
export function canRun (t: Test, reason: string | undefined, what: string): boolean {
  if (reason === undefined) return true
  if (process.env.CI !== undefined) {
    t.fail(reason)
  } else {
    console.error(`\n${'!'.repeat(72)}\n!! SKIPPING ${what}. ${reason}\n${'!'.repeat(72)}\n`)
    t.test(what, { skip: reason }, async () => {})
  }
  return false
}

/** A key prefix of its own per test, its key deleted at teardown. */
export function testPrefix (t: Test, url = REDIS_URL): string {
  const prefix = `test:${randomUUID()}:`
  t.teardown(async () => {
    const client = rawClient(url)
    client.on('error', () => {})
    try {
      await client.connect()
      await client.del(`${prefix}revocations`)
    } catch {
      // A test that killed its own server has nothing left to delete.
    } finally {
      client.disconnect()
    }
  })
  return prefix
}

/** Polls (without spinning) until `predicate` holds; returns the time it took, or throws. */
export async function waitFor (predicate: () => boolean, timeoutMs: number, what = 'condition'): Promise<number> {
  const started = performance.now()
  while (!predicate()) {
    if (performance.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(10)
  }
  return performance.now() - started
}

export interface CapturedLog extends RevocationLog {
  warns: Array<{ obj: object, msg: string }>
  infos: Array<{ obj: object, msg: string }>
}

export function captureLog (): CapturedLog {
  const warns: CapturedLog['warns'] = []
  const infos: CapturedLog['infos'] = []
  return {
    warns,
    infos,
    warn (obj, msg) { warns.push({ obj, msg }) },
    info (obj, msg) { infos.push({ obj, msg }) }
  }
}

export function percentile (sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN
}

export async function freePort (): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  server.close()
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

/** A throwaway redis-server (no persistence: a restart loses everything, like a crash would). */
export interface RedisServer {
  readonly port: number
  readonly url: string
  kill (): Promise<void>
  restart (): Promise<void>
}

async function launch (port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes('Ready to accept connections')) resolve()
    })
    child.once('error', reject)
    child.once('exit', (code) => { reject(new Error(`redis-server exited (${String(code)}): ${output}`)) })
  })
  const timer = setTimeout(() => { child.kill('SIGKILL') }, 5000)
  try {
    await ready
  } finally {
    clearTimeout(timer)
  }
  // Drain the pipes from here on so a chatty server never blocks on them.
  child.stdout?.resume()
  child.stderr?.resume()
  return child
}

export async function startRedisServer (t: Test, port?: number): Promise<RedisServer> {
  const serverPort = port ?? await freePort()
  let child: ChildProcess | undefined = await launch(serverPort)

  async function kill (): Promise<void> {
    const running = child
    child = undefined
    if (running === undefined || running.exitCode !== null) return
    const exited = once(running, 'exit')
    running.kill('SIGKILL')
    await exited
  }

  t.teardown(kill)
  return {
    port: serverPort,
    url: `redis://127.0.0.1:${serverPort}`,
    kill,
    async restart () {
      await kill()
      child = await launch(serverPort)
    }
  }
}

/** Undefined when `redis-server` can be spawned, else why not. */
export async function redisServerMissing (): Promise<string | undefined> {
  const child = spawn('redis-server', ['--version'], { stdio: 'ignore' })
  try {
    const [code] = await once(child, 'exit') as [number | null]
    return code === 0 ? undefined : `redis-server --version exited with ${String(code)}`
  } catch (err) {
    return `redis-server not runnable: ${(err as Error).message}`
  }
}

/**
 * A TCP hop in front of a Redis server that can be cut for the clients behind it alone: a network
 * partition of one instance while Redis and the other instances carry on.
 */
export interface Partition {
  readonly url: string
  cut (): void
  heal (): void
}

export async function startPartition (t: Test, targetPort: number): Promise<Partition> {
  const sockets = new Set<Socket>()
  let cut = false
  const server = createServer((client) => {
    if (cut) {
      client.destroy()
      return
    }
    const upstream = connect(targetPort, '127.0.0.1')
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('error', () => {})
      socket.on('close', () => {
        sockets.delete(socket)
        client.destroy()
        upstream.destroy()
      })
    }
    client.pipe(upstream).pipe(client)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => {
    for (const socket of sockets) socket.destroy()
    server.close()
  })
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  return {
    url: `redis://127.0.0.1:${address.port}`,
    cut () {
      cut = true
      for (const socket of sockets) socket.destroy()
    },
    heal () { cut = false }
  }
}
