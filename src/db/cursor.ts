import { InvalidCursorError } from './errors.js'
import { isUuid } from './uuid.js'

/** The position after which the next page starts: the last row's sort key. */
export interface CursorPosition {
  /**
   * created_at with PostgreSQL's microseconds, as UTC ISO-8601 text. A JS Date keeps only
   * milliseconds, which would skip or repeat rows created within the same millisecond.
   */
  createdAt: string
  id: string
}

const BASE64URL_PATTERN = /^[A-Za-z0-9_-]+$/
const EXACT_TIMESTAMP_PATTERN = /^[1-9]\d{3}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/

/** Formats created_at in the form CursorPosition.createdAt expects. */
export const EXACT_CREATED_AT_SQL = 'to_char(created_at at time zone \'UTC\', \'YYYY-MM-DD"T"HH24:MI:SS.US"Z"\')'

export function encodeCursor (position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.id])).toString('base64url')
}

/** Throws InvalidCursorError for anything encodeCursor could not have produced. */
export function decodeCursor (cursor: string): CursorPosition {
  if (!BASE64URL_PATTERN.test(cursor)) throw new InvalidCursorError()
  let decoded: unknown
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    throw new InvalidCursorError()
  }
  if (!Array.isArray(decoded) || decoded.length !== 2) throw new InvalidCursorError()
  const [createdAt, id] = decoded as unknown[]
  if (typeof createdAt !== 'string' || !isValidTimestamp(createdAt)) throw new InvalidCursorError()
  if (typeof id !== 'string' || !isUuid(id)) throw new InvalidCursorError()
  return { createdAt, id }
}

/** The pattern alone lets through dates such as February 30th, which PostgreSQL rejects. */
function isValidTimestamp (value: string): boolean {
  if (!EXACT_TIMESTAMP_PATTERN.test(value)) return false
  const milliseconds = `${value.slice(0, 23)}Z`
  const date = new Date(milliseconds)
  return !Number.isNaN(date.getTime()) && date.toISOString() === milliseconds
}
