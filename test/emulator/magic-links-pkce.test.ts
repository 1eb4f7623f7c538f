// PKCE and link lifetimes of email magic links (reference §5, §12), through the real SDK. The error facts
// are [inferred] (src/emulator/inferred.ts `errors.pkce*`, `pkce`); these tests hold the emulator to them.
import { createHash, randomBytes } from 'node:crypto'
import t from 'tap'
import { lastMessage, memberId, orgId, rejectsStytch, setClockOffset, startHarness } from './helper.js'

const verifierPair = (): { verifier: string, challenge: string } => {
  const verifier = randomBytes(32).toString('base64url')
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') }
}
const USED_OR_EXPIRED = { status_code: 401, error_type: 'unable_to_auth_magic_link' }

t.test('a failed PKCE attempt consumes nothing: the holder of the right verifier still logs in', async (t) => {
  const h = await startHarness(t)
  const { verifier, challenge } = verifierPair()
  await h.client.magicLinks.email.loginOrSignup({ organization_id: 'acme', email_address: 'editor@acme.test', pkce_code_challenge: challenge })
  const message = await lastMessage(h.emu, 'editor@acme.test')
  t.equal(message.pkce_code_challenge, challenge, 'the outbox shows the challenge the link was sent with')

  await rejectsStytch(t, h.client.magicLinks.authenticate({ magic_links_token: message.token }),
    { status_code: 400, error_type: 'pkce_expected_code_verifier' }, 'no verifier (a link scanner, another browser)')
  await rejectsStytch(t, h.client.magicLinks.authenticate({ magic_links_token: message.token, pkce_code_verifier: verifierPair().verifier }),
    { status_code: 400, error_type: 'pkce_mismatch' }, 'someone else\'s verifier (login CSRF)')
  await rejectsStytch(t, h.client.magicLinks.authenticate({ magic_links_token: message.token, pkce_code_verifier: challenge }),
    { status_code: 400, error_type: 'pkce_mismatch' }, 'the challenge itself is not the verifier (S256, not plain)')

  const ok = await h.client.magicLinks.authenticate({ magic_links_token: message.token, pkce_code_verifier: verifier })
  t.equal(ok.member.email_address, 'editor@acme.test', 'the right verifier still works after three failures')
  await rejectsStytch(t, h.client.magicLinks.authenticate({ magic_links_token: message.token, pkce_code_verifier: verifier }),
    USED_OR_EXPIRED, 'and then the link is spent')
})

t.test('PKCE is checked after expiry: an expired link says so whatever the verifier', async (t) => {
  const h = await startHarness(t)
  const { verifier, challenge } = verifierPair()
  await h.client.magicLinks.email.loginOrSignup({ organization_id: 'acme', email_address: 'viewer@acme.test', pkce_code_challenge: challenge, login_expiration_minutes: 5 })
  const { token } = await lastMessage(h.emu, 'viewer@acme.test')
  await setClockOffset(h.emu, 6 * 60)
  await rejectsStytch(t, h.client.magicLinks.authenticate({ magic_links_token: token, pkce_code_verifier: verifier }), USED_OR_EXPIRED, 'right verifier, expired')
  await rejectsStytch(t, h.client.magicLinks.authenticate({ magic_links_token: token }), USED_OR_EXPIRED, 'no verifier, expired')
})

t.test('sign-up links carry the challenge too; invites never do', async (t) => {
  const h = await startHarness(t)
  const { verifier, challenge } = verifierPair()
  await h.client.magicLinks.email.loginOrSignup({ organization_id: 'acme', email_address: 'newcomer@acme.test', pkce_code_challenge: challenge })
  const signup = await lastMessage(h.emu, 'newcomer@acme.test')
  t.equal(signup.type, 'signup')
  await rejectsStytch(t, h.client.magicLinks.authenticate({ magic_links_token: signup.token }), { status_code: 400, error_type: 'pkce_expected_code_verifier' })
  t.equal((await h.client.magicLinks.authenticate({ magic_links_token: signup.token, pkce_code_verifier: verifier })).member.status, 'active')

  await h.client.magicLinks.email.invite({ organization_id: 'acme', email_address: 'guest@partner.test' })
  const invite = await lastMessage(h.emu, 'guest@partner.test')
  t.equal(invite.pkce_code_challenge, null, 'an invite has no challenge (the SDK has no parameter for one)')
  await rejectsStytch(t, h.client.magicLinks.authenticate({ magic_links_token: invite.token, pkce_code_verifier: verifier }),
    { status_code: 400, error_type: 'pkce_did_not_expect_code_verifier' }, 'a verifier with an invite')
  t.equal((await h.client.magicLinks.authenticate({ magic_links_token: invite.token })).member.email_address, 'guest@partner.test',
    'the refused verifier did not consume the invite')
})

t.test('the stored expiry follows login_/signup_/invite_expiration_minutes, and the defaults without them', async (t) => {
  const h = await startHarness(t)
  const acme = await orgId(h, 'acme')
  const lifetime = (message: { sent_at: string, expires_at: string }): number => (Date.parse(message.expires_at) - Date.parse(message.sent_at)) / 60_000

  await h.client.magicLinks.email.loginOrSignup({ organization_id: acme, email_address: 'editor@acme.test', login_expiration_minutes: 15 })
  t.equal(lifetime(await lastMessage(h.emu, 'editor@acme.test')), 15, 'login link: 15 minutes as asked')
  await h.client.magicLinks.email.loginOrSignup({ organization_id: acme, email_address: 'editor@acme.test' })
  t.equal(lifetime(await lastMessage(h.emu, 'editor@acme.test')), 60, 'login link default: 60 minutes')
  await h.client.magicLinks.email.loginOrSignup({ organization_id: acme, email_address: 'fresh@acme.test', login_expiration_minutes: 15, signup_expiration_minutes: 20 })
  t.equal(lifetime(await lastMessage(h.emu, 'fresh@acme.test')), 20, 'sign-up link: signup_expiration_minutes')
  await h.client.magicLinks.email.invite({ organization_id: acme, email_address: 'a@partner.test', invited_by_member_id: await memberId(h, acme, 'admin@acme.test'), invite_expiration_minutes: 2880 })
  t.equal(lifetime(await lastMessage(h.emu, 'a@partner.test')), 2880, 'invite: invite_expiration_minutes')
  await h.client.magicLinks.email.invite({ organization_id: acme, email_address: 'b@partner.test' })
  t.equal(lifetime(await lastMessage(h.emu, 'b@partner.test')), 10080, 'invite default: one week')

  // And the stored expiry is the one enforced.
  await h.client.magicLinks.email.loginOrSignup({ organization_id: acme, email_address: 'viewer@acme.test', login_expiration_minutes: 15 })
  const { token } = await lastMessage(h.emu, 'viewer@acme.test')
  await setClockOffset(h.emu, 16 * 60)
  await rejectsStytch(t, h.client.magicLinks.authenticate({ magic_links_token: token }), USED_OR_EXPIRED, '15-minute link after 16 minutes')
})
