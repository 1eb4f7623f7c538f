import t from 'tap'
import type { Member } from 'stytch'
import { decodeCursor, directoryPage, encodeCursor, localFilter, SCAN_PAGES, stytchQuery } from '../../src/stytch/member-directory.js'

const member = (i: number, roles: string[] = []): Member => ({
  member_id: `member-test-${i}`,
  email_address: `user${i}@acme.test`,
  name: `User ${i}`,
  roles: [{ role_id: 'stytch_member', sources: [] }, ...roles.map((roleId) => ({ role_id: roleId, sources: [] }))]
}) as unknown as Member

/** A fake Stytch search over `all` with offset cursors, counting calls. */
function stytch (all: Member[]) {
  const calls: Array<{ cursor: string | undefined, limit: number }> = []
  return {
    calls,
    fetchPage: async (cursor: string | undefined, limit: number) => {
      calls.push({ cursor, limit })
      const offset = cursor === undefined ? 0 : Number(cursor)
      const next = offset + limit
      return { members: all.slice(offset, next), next_cursor: next < all.length ? String(next) : undefined }
    }
  }
}

t.test('Stytch applies status and 3+ character email; the rest is filtered here', async (t) => {
  t.same(stytchQuery({}), { operator: 'AND', operands: [] })
  t.same(stytchQuery({ status: 'invited', email: 'AdMi', role: 'x', name: 'y' }), {
    operator: 'AND',
    operands: [{ filter_name: 'statuses', filter_value: ['invited'] }, { filter_name: 'member_email_fuzzy', filter_value: 'admi' }]
  })
  t.same(stytchQuery({ email: 'ad' }).operands, [], 'too short for Stytch\'s fuzzy search')
  t.equal(localFilter({ status: 'active' }), undefined, 'nothing left to do here')
  const filter = localFilter({ email: 'USER1', role: 'viewer', name: 'user 1' })
  t.ok(filter?.(member(1, ['viewer'])))
  t.notOk(filter?.(member(1)), 'role missing')
  t.notOk(filter?.(member(2, ['viewer'])), 'prefix differs')
})

t.test('without local filters a page is one Stytch page', async (t) => {
  const fake = stytch(Array.from({ length: 5 }, (_, i) => member(i)))
  const first = await directoryPage(fake.fetchPage, { limit: 2, filter: undefined })
  t.same(first.members.map((m) => m.member_id), ['member-test-0', 'member-test-1'])
  const second = await directoryPage(fake.fetchPage, { limit: 2, cursor: first.next_cursor ?? '', filter: undefined })
  const third = await directoryPage(fake.fetchPage, { limit: 2, cursor: second.next_cursor ?? '', filter: undefined })
  t.same(third.members.map((m) => m.member_id), ['member-test-4'])
  t.equal(third.next_cursor, null)
  t.same(fake.calls.map((c) => c.limit), [2, 2, 2])
})

t.test('local filters walk Stytch pages, resume inside one, and stop after SCAN_PAGES', async (t) => {
  const all = Array.from({ length: 450 }, (_, i) => member(i, i % 100 === 7 ? ['viewer'] : []))
  const fake = stytch(all)
  const filter = localFilter({ role: 'viewer' })
  const found: string[] = []
  let cursor: string | null | undefined
  do {
    const page = await directoryPage(fake.fetchPage, { limit: 2, cursor: cursor ?? undefined, filter })
    found.push(...page.members.map((m) => m.member_id))
    cursor = page.next_cursor
  } while (cursor !== null)
  t.same(found, ['member-test-7', 'member-test-107', 'member-test-207', 'member-test-307', 'member-test-407'])

  const sparse = stytch(Array.from({ length: 2000 }, (_, i) => member(i)))
  const empty = await directoryPage(sparse.fetchPage, { limit: 10, filter: localFilter({ role: 'viewer' }) })
  t.same(empty.members, [], 'nothing in the pages read')
  t.type(empty.next_cursor, 'string', 'but more to read: a short page with a cursor')
  t.equal(sparse.calls.length, SCAN_PAGES, 'bounded Stytch calls per request')
})

t.test('cursors: only ones we issued', async (t) => {
  t.same(decodeCursor(encodeCursor({ c: 'abc', s: 3, l: 200 })), { c: 'abc', s: 3, l: 200 })
  for (const bad of ['bm90LWEtY3Vyc29y', Buffer.from('{"c":1,"s":0,"l":2}').toString('base64url'), Buffer.from('{"c":"","s":-1,"l":2}').toString('base64url'), Buffer.from('{"c":"","s":0,"l":5000}').toString('base64url'), Buffer.from('null').toString('base64url')]) {
    t.throws(() => decodeCursor(bad), { code: 'BAD_REQUEST' }, bad)
  }
})
