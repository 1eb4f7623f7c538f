import t from 'tap'
import { StytchError } from 'stytch'
import { fromStytchError } from '../../src/stytch/errors.js'

const stytchError = (status: number, type: string): StytchError =>
  new StytchError({ status_code: status, request_id: 'request-id-test', error_type: type, error_message: 'm', error_url: 'u', error_details: new Map() })

t.test('discovery calls: each Stytch refusal becomes the API error that says what happened', async (t) => {
  const cases: Array<[number, string, number, string]> = [
    [404, 'intermediate_session_not_found', 401, 'INVALID_INTERMEDIATE_SESSION'],
    [404, 'session_not_found', 401, 'SESSION_REVOKED'],
    [404, 'organization_not_found', 404, 'NOT_FOUND'],
    [404, 'member_not_found', 403, 'NOT_A_MEMBER'],
    [403, 'email_jit_provisioning_not_allowed', 403, 'NOT_A_MEMBER'],
    [400, 'organization_slug_already_used', 409, 'CONFLICT'],
    [400, 'invalid_organization_slug', 400, 'BAD_REQUEST'],
    [400, 'invalid_organization_name', 400, 'BAD_REQUEST'],
    [400, 'something_new', 400, 'BAD_REQUEST'],
    [403, 'something_else', 502, 'IDENTITY_PROVIDER_ERROR']
  ]
  for (const [status, type, expected, code] of cases) {
    const err = fromStytchError(stytchError(status, type), { kind: 'discovery' }) as Error & { statusCode?: number, code?: string }
    t.match({ statusCode: err.statusCode, code: err.code }, { statusCode: expected, code }, `${status} ${type}`)
  }
})
