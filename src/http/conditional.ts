/**
 * Conditional request headers (RFC 9110 §13): `If-Match` and `If-None-Match` are `*` or a
 * comma-separated list of entity tags, `"opaque"` (strong) or `W/"opaque"` (weak).
 */

export interface EntityTag {
  weak: boolean
  /** The opaque tag with its quotes, e.g. `"v3"`. */
  opaque: string
}

/** `*` (any current representation), or the listed entity tags. */
export type EntityTagCondition = '*' | EntityTag[]

// etagc = %x21 / %x23-7E / obs-text (%x80-FF): any visible character but the double quote.
const ENTITY_TAG = /^(W\/)?("[\x21\x23-\x7E\x80-\xFF]*")$/

/**
 * The header parsed, or undefined when it is not valid syntax. Empty list elements are
 * tolerated, as the list rule asks (RFC 9110 §5.6.1), but at least one tag must be there.
 */
export function parseEntityTags (header: string): EntityTagCondition | undefined {
  const value = header.trim()
  if (value === '*') return '*'
  const tags: EntityTag[] = []
  for (const element of value.split(',')) {
    const item = element.trim()
    if (item === '') continue
    const match = ENTITY_TAG.exec(item)
    if (match === null) return undefined
    tags.push({ weak: match[1] !== undefined, opaque: match[2] as string })
  }
  return tags.length === 0 ? undefined : tags
}

/** If-None-Match: weak comparison (RFC 9110 §8.8.3.2), `*` matches any current representation. */
export function noneMatchHits (condition: EntityTagCondition, etag: string): boolean {
  if (condition === '*') return true
  const current = etag.startsWith('W/') ? etag.slice(2) : etag
  return condition.some((tag) => tag.opaque === current)
}

/** The strong tags of an If-Match list (weak tags never match a strong comparison, §13.1.1). */
export const strongTags = (condition: EntityTag[]): string[] => condition.filter((tag) => !tag.weak).map((tag) => tag.opaque)
