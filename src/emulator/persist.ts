import { mkdirSync } from 'node:fs'
import { open, readFile, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { exportJWK, importJWK, type JWK } from 'jose'
import { type EmulatorState, type SigningKey } from './state.js'

/** The file under the data directory that holds the emulator's state. */
export const STATE_FILE = 'emulator.json'
const FORMAT = 'b2b-session-api/emulator-state'
const VERSION = 1

/** A state file that cannot be used: the message says which file, what is wrong and what to do. */
export class EmulatorStateFileError extends Error {
  constructor (readonly path: string, reason: string) {
    super(`Cannot load the emulator state from ${path}: ${reason}. The file was left untouched: repair it, or move it ` +
      'away to start a fresh emulator (new organization ids: data stored for the old ones becomes unreachable).')
    this.name = 'EmulatorStateFileError'
  }
}

/** How one field of EmulatorState goes to JSON and back; `load` throws a plain Error saying what is wrong. */
interface Codec {
  save: (value: any) => unknown
  load: (raw: unknown) => unknown
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** A Map<string, record>, saved as its entries; each record must carry the named string fields. */
function map (...requiredStrings: string[]): Codec {
  return {
    save: (value: Map<string, unknown>) => [...value],
    load: (raw) => {
      if (!Array.isArray(raw)) throw new Error('expected a list of [key, value] entries')
      return new Map(raw.map((entry: unknown, index) => {
        if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== 'string') throw new Error(`entry ${index} is not a [key, value] pair`)
        const value: unknown = entry[1]
        const fine = requiredStrings.length === 0 ? typeof value === 'string' : isObject(value) && requiredStrings.every((key) => typeof value[key] === 'string')
        if (!fine) throw new Error(`entry ${index} (${entry[0]}) is not a complete record`)
        return [entry[0], value]
      }))
    }
  }
}

/** A plain JSON value of the given shape ('list' or 'object'), kept as it is. */
function plain (shape: 'list' | 'object'): Codec {
  return {
    save: (value: unknown) => value,
    load: (raw) => {
      if (shape === 'list' ? !Array.isArray(raw) : !isObject(raw)) throw new Error(`expected a JSON ${shape}`)
      return raw
    }
  }
}

/**
 * What survives a restart: one line per field of EmulatorState (a new collection needs one line here).
 * Call counters, faults and the route table are run-time only; options and the policy come from the start-up.
 * Signing keys are saved separately (their private halves as JWKs).
 */
const persisted: Partial<Record<keyof EmulatorState, Codec>> = {
  config: plain('object'),
  organizations: map('organization_id', 'organization_slug'),
  members: map('member_id', 'organization_id', 'email_address'),
  magicLinks: map('member_id', 'organization_id', 'type'),
  sessions: map('member_session_id', 'member_id', 'organization_id', 'session_token'),
  sessionsByToken: map(),
  outbox: plain('list'),
  discoveryLinks: map('email_address'),
  intermediateSessions: map('email_address')
}

interface SavedKey { kid: string, privateJwk: JWK, publicJwk: JWK }

async function saveKey (key: SigningKey): Promise<SavedKey> {
  return { kid: key.kid, privateJwk: await exportJWK(key.privateKey), publicJwk: key.publicJwk }
}

async function loadKey (raw: unknown): Promise<SigningKey> {
  if (!isObject(raw) || typeof raw.kid !== 'string' || !isObject(raw.privateJwk) || !isObject(raw.publicJwk)) {
    throw new Error('a signing key is incomplete')
  }
  try {
    const privateKey = await importJWK(raw.privateJwk as JWK, 'RS256', { extractable: true })
    return { kid: raw.kid, privateKey: privateKey as CryptoKey, publicJwk: raw.publicJwk as JWK }
  } catch (err) {
    throw new Error(`signing key ${raw.kid} does not import (${(err as Error).message})`)
  }
}

/** The JSON text of the state file. Synchronous up to the key export, so the snapshot is consistent. */
export async function serializeState (state: EmulatorState): Promise<string> {
  const fields: Record<string, unknown> = {}
  for (const [name, codec] of Object.entries(persisted)) fields[name] = codec.save(state[name as keyof EmulatorState])
  const keys = { current: await saveKey(state.keys.current), previous: await Promise.all(state.keys.previous.map(saveKey)) }
  return JSON.stringify({ format: FORMAT, version: VERSION, project_id: state.options.projectId, state: fields, keys })
}

/**
 * Replaces the persisted fields of `state` with the file's text. Everything is checked before anything is
 * assigned: a bad file throws EmulatorStateFileError and leaves `state` as it was.
 */
export async function restoreState (state: EmulatorState, text: string, path: string): Promise<void> {
  let document: unknown
  try {
    document = JSON.parse(text)
  } catch (err) {
    throw new EmulatorStateFileError(path, `it is not valid JSON, perhaps cut short (${(err as Error).message})`)
  }
  if (!isObject(document) || document.format !== FORMAT) throw new EmulatorStateFileError(path, `it is not an emulator state file (no "format": "${FORMAT}")`)
  if (document.version !== VERSION) throw new EmulatorStateFileError(path, `it has version ${String(document.version)}; this emulator reads version ${VERSION}`)
  if (document.project_id !== state.options.projectId) {
    throw new EmulatorStateFileError(path, `it belongs to project ${String(document.project_id)}, not ${state.options.projectId} (its sessions and JWTs would not verify)`)
  }
  const fields = document.state
  const keys = document.keys
  if (!isObject(fields)) throw new EmulatorStateFileError(path, 'it has no "state" object')
  if (!isObject(keys) || !Array.isArray(keys.previous)) throw new EmulatorStateFileError(path, 'it has no "keys" object')
  const loaded: Record<string, unknown> = {}
  for (const [name, codec] of Object.entries(persisted)) {
    if (!(name in fields)) throw new EmulatorStateFileError(path, `"${name}" is missing`)
    try {
      loaded[name] = codec.load(fields[name])
    } catch (err) {
      throw new EmulatorStateFileError(path, `"${name}": ${(err as Error).message}`)
    }
  }
  let signing: EmulatorState['keys']
  try {
    signing = { current: await loadKey(keys.current), previous: await Promise.all(keys.previous.map(loadKey)) }
  } catch (err) {
    throw new EmulatorStateFileError(path, `"keys": ${(err as Error).message}`)
  }
  Object.assign(state, loaded, { keys: signing })
}

/** Reads the state file into `state`; false when there is none yet (a fresh data directory). */
export async function loadStateFile (state: EmulatorState, path: string): Promise<boolean> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw new EmulatorStateFileError(path, `it cannot be read (${(err as Error).message})`)
  }
  await restoreState(state, text, path)
  return true
}

/**
 * Writes the state file atomically: a temporary file in the same directory, flushed to disk, then renamed
 * over the old one, so a crash leaves either the old or the new state, never half a file. Owner-only
 * permissions: the file holds session tokens and the private signing keys.
 */
export async function writeStateFile (state: EmulatorState, path: string): Promise<void> {
  const text = await serializeState(state)
  const temporary = `${path}.${process.pid}.tmp`
  const handle = await open(temporary, 'w', 0o600)
  try {
    await handle.writeFile(text, 'utf8')
    await handle.sync()
  } finally {
    await handle.close()
  }
  try {
    await rename(temporary, path)
  } catch (err) {
    await rm(temporary, { force: true })
    throw err
  }
}

export interface StatePersister {
  readonly path: string
  /** Saves soon (debounced): called after every request that may have changed something. */
  schedule: () => void
  /** Saves now (and waits for any save under way); the last error of a scheduled save, if any, is thrown. */
  flush: () => Promise<void>
}

/**
 * Keeps `DIR/emulator.json` in step with `state`: at most one write in flight, changes that arrive during a
 * write are saved right after it, and a burst of changes costs one write per `debounceMs`.
 */
export function createPersister (state: EmulatorState, dataDir: string, debounceMs = 100, onError: (err: Error) => void = reportError): StatePersister {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const path = join(dataDir, STATE_FILE)
  let timer: NodeJS.Timeout | undefined
  let chain: Promise<void> = Promise.resolve()
  let failure: Error | undefined

  const save = (): Promise<void> => {
    chain = chain.then(async () => {
      try {
        await writeStateFile(state, path)
        failure = undefined
      } catch (err) {
        failure = err as Error
        onError(failure)
      }
    })
    return chain
  }

  return {
    path,
    schedule () {
      if (timer !== undefined) return
      timer = setTimeout(() => {
        timer = undefined
        void save()
      }, debounceMs)
      timer.unref()
    },
    async flush () {
      if (timer !== undefined) clearTimeout(timer)
      timer = undefined
      await save()
      if (failure !== undefined) throw failure
    }
  }
}

function reportError (err: Error): void {
  process.stderr.write(`emulator: could not save its state: ${err.message}\n`)
}
