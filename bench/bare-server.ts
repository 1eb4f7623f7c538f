/**
 * The bench's baseline: a bare Fastify route, logger off, answering GET /v1/me with the body it is
 * given (BENCH_BODY, the JSON of a real getMe answer, so both send the same bytes). Started by
 * bench/run.ts, pinned to the same core as the app.
 */
import Fastify from 'fastify'

const body = JSON.parse(process.env.BENCH_BODY ?? '{}') as unknown
const app = Fastify({ logger: false })
app.get('/v1/me', async () => body)
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' })
process.send?.('ready')
