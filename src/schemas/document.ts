import { Type, type Static } from '@sinclair/typebox'
import { NullableString } from './common.js'
import { OrganizationParamsSchema } from './primitives.js'

export const DocumentSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  organization_id: Type.String(),
  title: Type.String({ examples: ['Q3 plan'] }),
  body: Type.String(),
  version: Type.Integer({ minimum: 1, description: 'bumped by every update; the ETag is "v<version>"' }),
  created_by: Type.String({ description: 'member_id' }),
  updated_by: Type.String({ description: 'member_id' }),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' })
}, {
  $id: 'Document',
  additionalProperties: false,
  examples: [{
    id: '5f0c1c52-9a55-4d1e-9a0b-2f7f0b1e0a11',
    organization_id: 'organization-test-8a3f6d0e-3b7c-4a0e-8d5e-2f1c9b7a6e55',
    title: 'Q3 plan',
    body: 'Ship the login.',
    version: 2,
    created_by: 'member-test-5d4c0c55-2a7e-4a1c-9a1e-1f6a7b7d9e01',
    updated_by: 'member-test-5d4c0c55-2a7e-4a1c-9a1e-1f6a7b7d9e01',
    created_at: '2026-01-10T09:00:00.000Z',
    updated_at: '2026-01-10T09:30:00.000Z'
  }]
})

export const DocumentPageSchema = Type.Object({
  documents: Type.Array(Type.Ref(DocumentSchema)),
  next_cursor: NullableString({ description: 'pass as `cursor` for the next page; null on the last page' })
}, { $id: 'DocumentPage', additionalProperties: false })

export const CreateDocumentBodySchema = Type.Object({
  title: Type.String({ minLength: 1, maxLength: 200 }),
  body: Type.String({ maxLength: 50_000, default: '' })
}, { additionalProperties: false, examples: [{ title: 'Q3 plan', body: 'Ship the login.' }] })

export const UpdateDocumentBodySchema = Type.Object({
  title: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  body: Type.Optional(Type.String({ maxLength: 50_000 }))
}, { additionalProperties: false, minProperties: 1, examples: [{ title: 'Q3 plan (final)' }, { body: 'Ship the login, then the billing page.' }] })

export const DocumentParamsSchema = Type.Object({
  organizationId: OrganizationParamsSchema.properties.organizationId,
  documentId: Type.String({ format: 'uuid' })
})

export const ListDocumentsQuerySchema = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'page size (default 20)' })),
  cursor: Type.Optional(Type.String({ maxLength: 512 }))
}, { additionalProperties: false })

export const IfMatchHeadersSchema = Type.Object({
  'if-match': Type.Optional(Type.String({
    description: 'the document\'s ETag, e.g. "v3" (or a comma-separated list of them), or * for whatever version is current. Required (428 without it); a stale version answers 412, so no update is lost; a malformed value is 400 `invalid_if_match`',
    examples: ['"v1"']
  }))
})

export const IfNoneMatchHeadersSchema = Type.Object({
  'if-none-match': Type.Optional(Type.String({
    description: 'ETags you already have, e.g. "v3" (weak comparison: W/"v3" too), or *: when one matches the current version the answer is 304 with no body; a malformed value is 400 `invalid_if_none_match`',
    examples: ['"v1"']
  }))
})

export const IdempotencyHeadersSchema = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ pattern: '^[\\x21-\\x7E]{1,128}$', description: 'a retry with the same key and body returns the first result instead of creating a duplicate' }))
})

/** A document as the API shows it (timestamps as ISO-8601 strings); the store returns this shape. */
export type Document = Static<typeof DocumentSchema>
export type DocumentPage = Static<typeof DocumentPageSchema>
/** A new document's fields, after validation (the body defaults to ''). */
export type DocumentInput = Static<typeof CreateDocumentBodySchema>
export type DocumentPatch = Static<typeof UpdateDocumentBodySchema>
