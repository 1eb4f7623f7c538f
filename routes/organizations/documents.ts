import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import type { Document, ExpectedVersion } from '../../src/db/documents.js'
import { strongTags, type EntityTagCondition } from '../../src/http/conditional.js'
import { NotFoundError, PreconditionFailedError, PreconditionRequiredError } from '../../src/errors.js'
import { errorResponses } from '../../src/openapi/route-helpers.js'
import {
  CreateDocumentBodySchema, DocumentPageSchema, DocumentParamsSchema, DocumentSchema, IdempotencyHeadersSchema, IfMatchHeadersSchema, IfNoneMatchHeadersSchema,
  ListDocumentsQuerySchema, UpdateDocumentBodySchema
} from '../../src/schemas/document.js'
import { OrganizationParamsSchema } from '../../src/schemas/primitives.js'

const etag = (document: Document): string => `"v${document.version}"`
/**
 * The versions an If-Match accepts (parsed by plugins/app/conditional-requests.ts): `*` any
 * current version (RFC 9110 §13.1.1), else the versions of its strong tags; weak tags and tags
 * that are not ours match no version (412).
 */
function versionsOf (ifMatch: EntityTagCondition | null): ExpectedVersion {
  if (ifMatch === null) throw new PreconditionRequiredError()
  if (ifMatch === '*') return 'any'
  return strongTags(ifMatch).map((tag) => Number(/^"v([1-9][0-9]{0,8})"$/.exec(tag)?.[1] ?? 0))
}
/** A conditional write's outcome: the written value, or the matching 404 / 412. */
function settled<T> (result: T | 'not_found' | 'version_mismatch'): T {
  if (result === 'not_found') throw new NotFoundError('Document')
  if (result === 'version_mismatch') throw new PreconditionFailedError()
  return result
}

const withEtag = (reply: FastifyReply, document: Document): Document => {
  void reply.header('etag', etag(document))
  return document
}

const read = (action: string) => ({ resource: 'documents', action, organization: 'path' as const })
/** Updates and deletes name a document and the version they were based on (If-Match). */
const CONDITIONAL_WRITE = { params: DocumentParamsSchema, headers: IfMatchHeadersSchema }
/** Gone (404), changed since it was read (412), or no If-Match at all (428). */
const CONDITIONAL_WRITE_ERRORS = errorResponses(404, 412, 428)
const ETAG_HEADER = { etag: { type: 'string', description: 'the document version, for If-Match' } }

const documents: FastifyPluginAsyncTypebox = async (fastify) => {
  const repository = fastify.documents
  const base = '/v1/organizations/:organizationId/documents'

  fastify.get(base, {
    config: { permission: read('read') },
    schema: {
      tags: ['documents'],
      operationId: 'listDocuments',
      summary: 'List the organization\'s documents',
      description: 'Oldest first, `limit` per page; pass `next_cursor` back as `cursor` for the next page.',
      params: OrganizationParamsSchema,
      querystring: ListDocumentsQuerySchema,
      response: { 200: Type.Ref(DocumentPageSchema) }
    }
  }, async (request) => {
    const { organization } = request.requireAuth()
    return await repository.list(organization.organization_id, { limit: request.query.limit ?? 20, ...(request.query.cursor === undefined ? {} : { cursor: request.query.cursor }) })
  })

  fastify.post(base, {
    config: { permission: read('create') },
    schema: {
      tags: ['documents'],
      operationId: 'createDocument',
      summary: 'Create a document',
      description: 'With an `Idempotency-Key`, a retry with the same key and body returns the document the first request created (header `Idempotent-Replayed: true`) instead of creating another.',
      params: OrganizationParamsSchema,
      headers: IdempotencyHeadersSchema,
      body: CreateDocumentBodySchema,
      response: { 201: { ...Type.Ref(DocumentSchema), headers: ETAG_HEADER }, ...errorResponses(422) }
    }
  }, async (request, reply) => {
    const { organization, member } = request.requireAuth()
    const { document, replayed } = await repository.create(organization.organization_id, request.body, member.member_id, request.headers['idempotency-key'])
    if (replayed) void reply.header('idempotent-replayed', 'true')
    void reply.header('location', `/v1/organizations/${organization.organization_id}/documents/${document.id}`)
    return await reply.code(201).send(withEtag(reply, document))
  })

  fastify.get(`${base}/:documentId`, {
    config: { permission: read('read') },
    schema: {
      tags: ['documents'],
      operationId: 'getDocument',
      summary: 'Read a document',
      description: 'The `ETag` response header is the version to send back in `If-Match` when updating or deleting. With `If-None-Match` naming the current ETag (weak comparison; `*` matches any), the answer is 304 with no body.',
      params: DocumentParamsSchema,
      headers: IfNoneMatchHeadersSchema,
      response: { 200: { ...Type.Ref(DocumentSchema), headers: ETAG_HEADER }, ...errorResponses(404) }
    }
  }, async (request, reply) => {
    const { organization } = request.requireAuth()
    const document = await repository.get(organization.organization_id, request.params.documentId)
    if (document === null) throw new NotFoundError('Document')
    return withEtag(reply, document)
  })

  fastify.patch(`${base}/:documentId`, {
    config: { permission: read('update') },
    schema: {
      tags: ['documents'],
      operationId: 'updateDocument',
      summary: 'Update a document',
      description: 'Requires `If-Match` with the ETag you read: if the document changed since, the answer is 412 and nothing is written, so concurrent edits never overwrite each other silently. `If-Match: *` updates whatever version is current (RFC 9110); a malformed If-Match is 400 `invalid_if_match`.',
      ...CONDITIONAL_WRITE,
      body: UpdateDocumentBodySchema,
      response: { 200: { ...Type.Ref(DocumentSchema), headers: ETAG_HEADER }, ...CONDITIONAL_WRITE_ERRORS }
    }
  }, async (request, reply) => {
    const { organization, member } = request.requireAuth()
    const document = settled(await repository.update(organization.organization_id, request.params.documentId, request.body, versionsOf(request.ifMatch), member.member_id))
    return withEtag(reply, document)
  })

  fastify.delete(`${base}/:documentId`, {
    config: { permission: read('delete') },
    schema: {
      tags: ['documents'],
      operationId: 'deleteDocument',
      summary: 'Delete a document',
      description: 'Requires `If-Match` with the ETag you read (412 if the document changed since); `If-Match: *` deletes whatever version is current; a malformed If-Match is 400 `invalid_if_match`.',
      ...CONDITIONAL_WRITE,
      response: { 204: Type.Null({ description: 'Deleted' }), ...CONDITIONAL_WRITE_ERRORS }
    }
  }, async (request, reply) => {
    const { organization } = request.requireAuth()
    settled(await repository.delete(organization.organization_id, request.params.documentId, versionsOf(request.ifMatch)))
    return await reply.code(204).send(null)
  })
}

export default documents
