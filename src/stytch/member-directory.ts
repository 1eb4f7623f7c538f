import type { Member, SearchQuery } from 'stytch'
import { BadRequestError } from '../errors.js'

/**
 * The members directory over Stytch's `members.search`: which filters Stytch applies (query
 * operands) and which this API applies itself, and the cursor that walks Stytch's pages.
 *
 * Stytch's member operands (SDK types, `MemberSearchOperand`) cover status (`statuses`) and email
 * substrings (`member_email_fuzzy`, at least 3 characters); they have none for roles or names. So:
 * - status → `statuses` at Stytch;
 * - email prefix → `member_email_fuzzy` at Stytch when it is 3+ characters (a superset: substring),
 *   and the prefix match here;
 * - role, name prefix (and a 1–2 character email prefix) → filtered here, over Stytch's pages.
 *
 * With a filter applied here, a page of Stytch results can hold fewer matches than asked for: the
 * walk reads up to SCAN_PAGES Stytch pages per request to fill the page, then answers with what it
 * has and a cursor to go on — so a page may be short while `next_cursor` is still set.
 */
export interface DirectoryFilters {
  status?: string
  role?: string
  email?: string
  name?: string
}

/** A position in the walk: a Stytch cursor (empty: the start), how many members of that Stytch page were already passed, and its page size. */
interface Position { c: string, s: number, l: number }

/** Stytch pages read per request when filters apply here. */
export const SCAN_PAGES = 5
/** Stytch page size when filters apply here (Stytch's maximum is 1000). */
export const SCAN_PAGE_SIZE = 200

export function encodeCursor (position: Position): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url')
}

export function decodeCursor (cursor: string): Position {
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    throw new BadRequestError('cursor is not a cursor this API issued')
  }
  const p = value as Partial<Position> | null
  if (typeof p !== 'object' || p === null || typeof p.c !== 'string' || p.c.length > 2048 ||
    !Number.isInteger(p.s) || (p.s as number) < 0 || !Number.isInteger(p.l) || (p.l as number) < 1 || (p.l as number) > 1000) {
    throw new BadRequestError('cursor is not a cursor this API issued')
  }
  return p as Position
}

/** The query Stytch applies (AND of operands; Stytch deprecates OR). */
export function stytchQuery (filters: DirectoryFilters): SearchQuery {
  const operands: SearchQuery['operands'] = []
  if (filters.status !== undefined) operands.push({ filter_name: 'statuses', filter_value: [filters.status] })
  if (filters.email !== undefined && filters.email.length >= 3) operands.push({ filter_name: 'member_email_fuzzy', filter_value: filters.email.toLowerCase() })
  return { operator: 'AND', operands }
}

/** The filters Stytch cannot apply, as one predicate; undefined when Stytch applies them all. */
export function localFilter (filters: DirectoryFilters): ((member: Member) => boolean) | undefined {
  const checks: Array<(member: Member) => boolean> = []
  if (filters.email !== undefined) {
    const prefix = filters.email.toLowerCase()
    checks.push((m) => m.email_address.toLowerCase().startsWith(prefix))
  }
  if (filters.name !== undefined) {
    const prefix = filters.name.toLowerCase()
    checks.push((m) => m.name.toLowerCase().startsWith(prefix))
  }
  if (filters.role !== undefined) {
    const role = filters.role
    checks.push((m) => m.roles.some((r) => r.role_id === role))
  }
  // An email prefix of 3+ characters is narrowed at Stytch but still checked here (fuzzy is a substring
  // match); it alone still needs the local pass.
  return checks.length === 0 ? undefined : (m) => checks.every((check) => check(m))
}

export interface StytchPage { members: Member[], next_cursor: string | undefined }

/**
 * One page of the directory: walks Stytch's pages (`fetchPage(cursor, limit)`) from the position the
 * client's cursor names, keeping the members `filter` accepts, until `limit` are found, Stytch has no
 * more, or SCAN_PAGES pages were read.
 */
export async function directoryPage (
  fetchPage: (cursor: string | undefined, limit: number) => Promise<StytchPage>,
  options: { limit: number, cursor?: string | undefined, filter: ((member: Member) => boolean) | undefined }
): Promise<{ members: Member[], next_cursor: string | null }> {
  const { limit, filter } = options
  let position: Position = options.cursor === undefined
    ? { c: '', s: 0, l: filter === undefined ? limit : SCAN_PAGE_SIZE }
    : decodeCursor(options.cursor)
  const found: Member[] = []
  for (let pages = 0; pages < SCAN_PAGES; pages++) {
    const page = await fetchPage(position.c === '' ? undefined : position.c, position.l)
    const next = page.next_cursor === undefined || page.next_cursor === '' ? undefined : page.next_cursor
    for (let i = position.s; i < page.members.length; i++) {
      const member = page.members[i] as Member
      if (filter !== undefined && !filter(member)) continue
      found.push(member)
      if (found.length === limit) {
        const rest = i + 1 < page.members.length
        if (rest) return { members: found, next_cursor: encodeCursor({ ...position, s: i + 1 }) }
        return { members: found, next_cursor: next === undefined ? null : encodeCursor({ c: next, s: 0, l: position.l }) }
      }
    }
    if (next === undefined) return { members: found, next_cursor: null }
    position = { c: next, s: 0, l: position.l }
  }
  return { members: found, next_cursor: encodeCursor(position) }
}
