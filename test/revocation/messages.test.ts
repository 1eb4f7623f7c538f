import t from 'tap'
import { parseAckMessage, parseRevokeMessage } from '../../src/revocation/messages.js'

t.test('revoke messages are parsed defensively', async (t) => {
  const valid = { id: 'r1', sessionId: 'member-session-test-1', untilMs: 123, from: 'i1' }
  t.same(parseRevokeMessage(JSON.stringify(valid)), valid)
  t.same(parseRevokeMessage(JSON.stringify({ ...valid, extra: true })), valid, 'unknown fields dropped')
  for (const text of ['not json', 'null', '42', '"x"', '[]',
    JSON.stringify({ ...valid, untilMs: '123' }),
    JSON.stringify({ ...valid, untilMs: null }),
    JSON.stringify({ ...valid, sessionId: '' }),
    JSON.stringify({ ...valid, sessionId: 'x'.repeat(513) }),
    JSON.stringify({ ...valid, from: 7 })]) {
    t.equal(parseRevokeMessage(text), undefined, text.slice(0, 60))
  }
})

t.test('ack messages are parsed defensively', async (t) => {
  t.same(parseAckMessage('{"id":"r1","from":"i2"}'), { id: 'r1', from: 'i2' })
  for (const text of ['', '{}', '{"id":"r1"}', '{"id":1,"from":"i2"}']) {
    t.equal(parseAckMessage(text), undefined, text)
  }
})
