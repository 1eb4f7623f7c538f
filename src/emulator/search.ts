import { StytchApiError } from './errors.js'
import { defaults, errors } from './inferred.js'
import { type EmulatorState, type Organization, type StoredMember } from './state.js'

/** One search operand as sent: `{ filter_name, filter_value }` (reference §9). */
export interface Operand { filter_name: string, [key: string]: unknown }
export interface Query { operator: string, operands: Operand[] }

function invalid (message: string): StytchApiError {
  return new StytchApiError(errors.invalidArgument, message)
}

function stringList (operand: Operand): string[] {
  const value = operand.filter_value
  if (!Array.isArray(value) || value.some((entry) => typeof entry !== 'string')) {
    throw invalid(`filter_value of ${operand.filter_name} must be an array of strings`)
  }
  return (value as string[]).map((entry) => entry.toLowerCase())
}

function fuzzy (operand: Operand, minLength = 1): string {
  const value = operand.filter_value
  if (typeof value !== 'string' || value.length < minLength) {
    throw invalid(`filter_value of ${operand.filter_name} must be a string of at least ${minLength} characters`)
  }
  return value.toLowerCase()
}

function bool (operand: Operand): boolean {
  if (typeof operand.filter_value !== 'boolean') throw invalid(`filter_value of ${operand.filter_name} must be a boolean`)
  return operand.filter_value
}

/** Turns operands into predicates, combined with AND / OR; unknown filters and operators are 400s. */
function compile<T> (query: Query | undefined, matchers: Record<string, (operand: Operand) => (item: T) => boolean>): (item: T) => boolean {
  if (query === undefined || query.operands.length === 0) return () => true
  if (query.operator !== 'AND' && query.operator !== 'OR') throw invalid('query.operator must be AND or OR')
  const predicates = query.operands.map((operand) => {
    const build = matchers[operand.filter_name]
    if (build === undefined) throw invalid(`Unknown filter_name: ${operand.filter_name}`)
    return build(operand)
  })
  return query.operator === 'AND'
    ? (item) => predicates.every((predicate) => predicate(item))
    : (item) => predicates.some((predicate) => predicate(item))
}

const includesAny = (values: string[], candidates: string[]): boolean =>
  candidates.some((candidate) => values.includes(candidate.toLowerCase()))

export function organizationMatcher (state: EmulatorState, query: Query | undefined): (organization: Organization) => boolean {
  const emailsOf = (organization: Organization): string[] => [...state.members.values()]
    .filter((member) => member.organization_id === organization.organization_id && member.status !== 'deleted')
    .map((member) => member.email_address)
  const matchers: Record<string, (operand: Operand) => (organization: Organization) => boolean> = {
    organization_ids: (op) => { const ids = stringList(op); return (o) => ids.includes(o.organization_id.toLowerCase()) },
    organization_slugs: (op) => { const slugs = stringList(op); return (o) => slugs.includes(o.organization_slug.toLowerCase()) },
    organization_name_fuzzy: (op) => { const text = fuzzy(op); return (o) => o.organization_name.toLowerCase().includes(text) },
    organization_slug_fuzzy: (op) => { const text = fuzzy(op); return (o) => o.organization_slug.toLowerCase().includes(text) },
    member_emails: (op) => { const emails = stringList(op); return (o) => includesAny(emails, emailsOf(o)) },
    member_email_fuzzy: (op) => { const text = fuzzy(op, 3); return (o) => emailsOf(o).some((email) => email.includes(text)) },
    allowed_domains: (op) => { const domains = stringList(op); return (o) => includesAny(domains, o.email_allowed_domains) },
    allowed_domain_fuzzy: (op) => { const text = fuzzy(op); return (o) => o.email_allowed_domains.some((d) => d.includes(text)) },
    claimed_email_domains: (op) => { const domains = stringList(op); return (o) => includesAny(domains, o.claimed_email_domains) },
    has_active_sso_connection: (op) => { const want = bool(op); return (o) => (o.sso_active_connections.length > 0) === want },
    sso_connection_id: (op) => {
      const id = fuzzy(op)
      return (o) => o.sso_active_connections.some((connection) => connection.connection_id.toLowerCase() === id)
    }
  }
  return compile(query, matchers)
}

/** Member filters; deleted members only show up when a `statuses` filter asks for them. */
export function memberMatcher (query: Query | undefined): (member: StoredMember) => boolean {
  const matchers: Record<string, (operand: Operand) => (member: StoredMember) => boolean> = {
    member_ids: (op) => { const ids = stringList(op); return (m) => ids.includes(m.member_id.toLowerCase()) },
    member_emails: (op) => { const emails = stringList(op); return (m) => emails.includes(m.email_address) },
    member_email_fuzzy: (op) => { const text = fuzzy(op, 3); return (m) => m.email_address.includes(text) },
    member_is_breakglass: (op) => { const want = bool(op); return (m) => m.is_breakglass === want },
    statuses: (op) => { const statuses = stringList(op); return (m) => statuses.includes(m.status) },
    member_phone_numbers: (op) => { const phones = stringList(op); return (m) => phones.includes(m.mfa_phone_number) },
    member_phone_number_fuzzy: (op) => { const text = fuzzy(op); return (m) => m.mfa_phone_number.includes(text) }
  }
  const matches = compile(query, matchers)
  const asksForStatuses = query?.operands.some((operand) => operand.filter_name === 'statuses') ?? false
  return (member) => (asksForStatuses || member.status !== 'deleted') && matches(member)
}

/** Offset pagination behind an opaque cursor; `next_cursor` is only present when more results exist. */
export function paginate<T> (items: T[], cursor: string | undefined, limit: number | undefined): {
  page: T[], results_metadata: { total: number, next_cursor?: string }
} {
  const size = limit ?? defaults.searchLimitDefault
  if (size < 1 || size > defaults.searchLimitMax) throw invalid(`limit must be between 1 and ${defaults.searchLimitMax}`)
  let offset = 0
  if (cursor !== undefined && cursor !== '') {
    // Only a cursor this emulator issued: `offset:<n>`, base64url (anything else decoded to 0 before).
    const match = /^offset:(0|[1-9][0-9]{0,8})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (match === null) throw invalid('cursor is invalid')
    offset = Number(match[1])
  }
  const page = items.slice(offset, offset + size)
  const next = offset + size
  const metadata: { total: number, next_cursor?: string } = { total: items.length }
  if (next < items.length) metadata.next_cursor = Buffer.from(`offset:${next}`).toString('base64url')
  return { page, results_metadata: metadata }
}
