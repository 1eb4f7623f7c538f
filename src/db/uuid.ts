const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Checked before a query, because PostgreSQL rejects a malformed uuid with an error, not "no row". */
export const isUuid = (value: string): boolean => UUID_PATTERN.test(value)
