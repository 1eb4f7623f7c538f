import { Type, type SchemaOptions, type TUnsafe } from '@sinclair/typebox'

/**
 * A string or null, as `type: ['string', 'null']` rather than `anyOf`: the response serializer
 * (fast-json-stringify) handles a type list directly, while `anyOf` makes it validate each value
 * to pick a branch — measurable on the hot getMe path.
 */
export const NullableString = (options: SchemaOptions = {}): TUnsafe<string | null> =>
  Type.Unsafe<string | null>({ ...options, type: ['string', 'null'] })
