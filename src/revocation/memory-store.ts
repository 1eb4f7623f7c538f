import { open, readFile, rename, rm } from 'node:fs/promises'
import { createRevocationList } from './revocation-list.js'
import type { RevocationLog, RevocationStore } from './store.js'

export interface MemoryRevocationStoreOptions {
  maxEntries?: number
  now?: () => number
  /**
   * Keep the live entries in this JSON file (loaded at start, rewritten atomically on every revoke), so a
   * restart does not forget them: the embedded default, whose sessions survive restarts, sets it.
   */
  file?: string
  /** Where a failed write of `file` is reported (the revoke itself still holds in memory; the next write retries). */
  log?: Pick<RevocationLog, 'warn'>
}

/** Reads `[sessionId, untilMs]` pairs; a missing file is an empty list, a damaged one an error (fail closed). */
async function readEntries (file: string): Promise<Array<[string, number]>> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw err
  }
  let entries: unknown
  try {
    entries = JSON.parse(text)
  } catch {
    entries = undefined
  }
  const valid = Array.isArray(entries) && entries.every((entry) =>
    Array.isArray(entry) && entry.length === 2 && typeof entry[0] === 'string' && typeof entry[1] === 'number')
  if (!valid) throw new Error(`The revocation list ${file} is damaged: repair or delete it (deleting it forgets the sessions revoked in the last few minutes)`)
  return entries as Array<[string, number]>
}

/** Temporary file, flushed, renamed over the old one: a crash leaves the old list or the new one. */
async function writeEntries (file: string, entries: Array<[string, number]>): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`
  const handle = await open(temporary, 'w', 0o600)
  try {
    await handle.writeFile(JSON.stringify(entries), 'utf8')
    await handle.sync()
  } finally {
    await handle.close()
  }
  await rename(temporary, file).catch(async (err: unknown) => {
    await rm(temporary, { force: true })
    throw err
  })
}

/** The embedded default (no REDIS_URL): one process, so nothing can be missed — always healthy. */
export function createMemoryRevocationStore (options: MemoryRevocationStoreOptions = {}): RevocationStore {
  const list = createRevocationList(options)
  const file = options.file
  let writes: Promise<void> = Promise.resolve()
  return {
    async revoke (sessionId, untilMs) {
      list.revoke(sessionId, untilMs)
      if (file === undefined) return
      // One write at a time, each with the list as it is then: the last write holds every entry.
      // A failed write never fails the revoke (the contract: revoke does not throw); it is logged.
      writes = writes.then(async () => {
        await writeEntries(file, [...list.liveEntries()]).catch((err: unknown) => {
          options.log?.warn({ err, file }, 'could not save the revocation list; it holds in memory until the next write')
        })
      })
      await writes
    },
    isRevoked (sessionId) { return list.isRevoked(sessionId) },
    healthy: true,
    get size () { return list.size },
    async start () {
      if (file === undefined) return
      for (const [sessionId, untilMs] of await readEntries(file)) list.revoke(sessionId, untilMs)
    },
    async close () { await writes }
  }
}
