/** One schema violation as Ajv reports it (the fields this formatter reads). */
export interface SchemaViolation {
  keyword: string
  instancePath: string
  params: Record<string, unknown>
  message?: string | undefined
}

/** A JSON pointer segment (RFC 6901). */
const segment = (name: unknown): string => `/${String(name).replaceAll('~', '~0').replaceAll('/', '~1')}`

/**
 * The message of a 400 `validation_failed`: it always names the failing field as the request
 * part plus a JSON pointer (`body/title`, `querystring/limit`, `params/documentId`,
 * `headers/if-match`). Ajv names the parent for a missing or an unknown property
 * ("body must have required property 'title'", "body must NOT have additional properties");
 * here the pointer leads to the property itself.
 */
export function validationMessage (violations: readonly SchemaViolation[], part: string): string {
  return violations.map((violation) => {
    const at = `${part}${violation.instancePath}`
    switch (violation.keyword) {
      case 'required':
        return `${at}${segment(violation.params.missingProperty)} is required`
      case 'additionalProperties':
        return `${at}${segment(violation.params.additionalProperty)} is not allowed (unknown property)`
      default:
        return `${at} ${violation.message ?? 'is not valid'}`
    }
  }).join('; ')
}
