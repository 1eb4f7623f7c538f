import t from 'tap'
import { openDatabase } from '../../src/db/database.js'
import { DatabaseUnavailableError, IdempotencyKeyReusedError, InvalidCursorError, isAvailabilityError, StorageError, toStorageError } from '../../src/db/errors.js'

const withCode = (code: string, message = 'x'): Error => Object.assign(new Error(message), { code })

t.test('storage errors carry their HTTP status and machine code', async (t) => {
  t.match(new InvalidCursorError(), { statusCode: 400, code: 'invalid_cursor' })
  t.match(new IdempotencyKeyReusedError(), { statusCode: 422, code: 'idempotency_key_reused' })
  const cause = withCode('57P01')
  t.match(new DatabaseUnavailableError(cause), { statusCode: 503, code: 'database_unavailable', cause })
  for (const err of [new InvalidCursorError(), new IdempotencyKeyReusedError(), new DatabaseUnavailableError()]) t.ok(err instanceof StorageError)
})

t.test('availability failures are told apart from failures of the statement', async (t) => {
  const unavailable = [
    withCode('57P01', 'terminating connection due to administrator command'), withCode('57P02'), withCode('57P03'),
    withCode('08006'), withCode('08001'), withCode('53300'), withCode('57014', 'canceling statement due to statement timeout'),
    withCode('25P03'), withCode('55P03'), withCode('58030'),
    withCode('ECONNREFUSED'), withCode('ECONNRESET'), withCode('ETIMEDOUT'), withCode('ENOTFOUND'),
    new AggregateError([withCode('ECONNREFUSED')], 'connect failed'),
    new Error('Connection terminated unexpectedly'), new Error('Connection terminated due to connection timeout'),
    new Error('timeout exceeded when trying to connect'), new Error('Client has encountered a connection error and is not queryable'),
    new Error('Cannot use a pool after calling end on the pool'), new Error('PGlite is closed')
  ]
  for (const err of unavailable) {
    t.ok(isAvailabilityError(err), `${String((err as { code?: string }).code ?? '')} ${err.message}`)
    const translated = toStorageError(err)
    t.ok(translated instanceof DatabaseUnavailableError)
    t.equal((translated as Error).cause, err, 'the driver error stays as the cause')
  }
  const statementErrors = [withCode('42601'), withCode('23505'), withCode('22021'), withCode('40P01'), withCode('EACCES'), new Error('boom'), new RangeError('limit')]
  for (const err of statementErrors) {
    t.notOk(isAvailabilityError(err), `${String((err as { code?: string }).code ?? '')} ${err.message}`)
    t.equal(toStorageError(err), err, 'passed through unchanged')
  }
  const already = new DatabaseUnavailableError()
  t.equal(toStorageError(already), already, 'not wrapped twice')
  t.notOk(isAvailabilityError('57P01'), 'only errors')
})

t.test('a server that refuses connections is DatabaseUnavailableError, for queries and transactions', async (t) => {
  // Port 1: nothing listens there, so the connection is refused at once.
  const nowhere = await openDatabase({ url: 'postgres://postgres@127.0.0.1:1/test' })
  t.teardown(() => nowhere.close())
  await t.rejects(nowhere.query('select 1'), DatabaseUnavailableError)
  await t.rejects(nowhere.transaction(async () => 'never'), DatabaseUnavailableError)
})
