import helmet, { type FastifyHelmetOptions } from '@fastify/helmet'

/**
 * Helmet's default headers. Its default CSP already lets Swagger UI at /docs work (the UI serves no
 * inline scripts), so it is kept as is.
 */
export const autoConfig: FastifyHelmetOptions = { global: true }

export default helmet
