import { readFileSync } from 'node:fs'
import { parseEnv } from 'node:util'

export interface EnvFile {
  /** The file read, as given. */
  path: string
  /** Variables taken from the file (the real environment did not set them). */
  loaded: ReadonlySet<string>
}

/**
 * Reads a dotenv file (Node's own parser, `util.parseEnv`: the syntax of `--env-file`) into `env`.
 * The real environment wins: a variable it already sets, even to an empty string, is left alone,
 * so `PORT=4000 npm start` overrides the file. A missing file is not an error (undefined); an
 * unreadable one is. Nothing is logged here: values may be secrets.
 */
export function loadEnvFile (path: string, env: NodeJS.ProcessEnv = process.env): EnvFile | undefined {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
  const loaded = new Set<string>()
  for (const [name, value] of Object.entries(parseEnv(text))) {
    if (value === undefined || env[name] !== undefined) continue
    env[name] = value
    loaded.add(name)
  }
  return { path, loaded }
}
