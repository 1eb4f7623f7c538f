import t from 'tap'
import { buildApp, emulatorCalls, emulatorPost, loginForTokens } from '../helper.js'

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
const organizationBySlug = (ctx: Awaited<ReturnType<typeof buildApp>>, slug: string) =>
  [...ctx.emulator.state.organizations.values()].find((o) => o.organization_slug === slug)

t.test('getOrganization: every member reads their own organization, by id or slug', async (t) => {
  const ctx = await buildApp(t)
  const viewer = await loginForTokens(ctx.app, ctx.emulator, 'viewer@acme.test')
  const acme = organizationBySlug(ctx, 'acme')
  const bySlug = await ctx.app.inject({ url: '/v1/organizations/acme', headers: bearer(viewer.session_jwt) })
  t.equal(bySlug.statusCode, 200)
  t.match(bySlug.json(), {
    organization_id: acme?.organization_id,
    organization_name: 'Acme',
    organization_slug: 'acme',
    organization_logo_url: '',
    email_allowed_domains: ['acme.test'],
    email_jit_provisioning: 'RESTRICTED',
    email_invites: 'ALL_ALLOWED'
  })
  t.notOk('trusted_metadata' in bySlug.json(), 'admin configuration is not shown')
  const byId = await ctx.app.inject({ url: `/v1/organizations/${acme?.organization_id ?? ''}`, headers: bearer(viewer.session_jwt) })
  t.same(byId.json(), bySlug.json())
  t.equal((await ctx.app.inject({ url: '/v1/organizations/acme' })).statusCode, 401, 'anonymous: 401')
})

t.test('another organization\'s admin can neither read nor update this organization, nor read its members', async (t) => {
  const ctx = await buildApp(t)
  const globex = await loginForTokens(ctx.app, ctx.emulator, 'admin@globex.test')
  const acme = organizationBySlug(ctx, 'acme')
  const before = structuredClone(acme)
  const acmeAdmin = [...ctx.emulator.state.members.values()].find((m) => m.email_address === 'admin@acme.test')
  await emulatorPost(ctx.emulator, 'emulator/calls/reset')
  const attempts = [
    { method: 'GET' as const, url: '/v1/organizations/acme' },
    { method: 'GET' as const, url: `/v1/organizations/${acme?.organization_id ?? ''}` },
    { method: 'PATCH' as const, url: '/v1/organizations/acme', payload: { organization_name: 'Pwned' } },
    { method: 'GET' as const, url: '/v1/organizations/acme/members' },
    { method: 'GET' as const, url: `/v1/organizations/acme/members/${acmeAdmin?.member_id ?? ''}` },
    { method: 'GET' as const, url: '/v1/organizations/acme/invitations' }
  ]
  for (const attempt of attempts) {
    const response = await ctx.app.inject({ ...attempt, headers: bearer(globex.session_jwt) })
    t.equal(response.statusCode, 403, `${attempt.method} ${attempt.url}`)
    t.equal(response.json().code, 'permission_denied')
  }
  t.same(await emulatorCalls(ctx.emulator), {}, 'refused locally: no Stytch call')
  t.same(organizationBySlug(ctx, 'acme'), before, 'Acme unchanged')
})

t.test('updateOrganization: admins change name, slug, logo, domains, JIT and invites through Stytch', async (t) => {
  const ctx = await buildApp(t)
  const admin = await loginForTokens(ctx.app, ctx.emulator, 'admin@acme.test')
  const change = {
    organization_name: 'Acme Inc.',
    organization_slug: 'acme-inc',
    organization_logo_url: 'https://cdn.acme.test/logo.png',
    email_allowed_domains: ['acme.test', 'Acme-Corp.test'],
    email_jit_provisioning: 'NOT_ALLOWED',
    email_invites: 'RESTRICTED'
  }
  const response = await ctx.app.inject({ method: 'PATCH', url: '/v1/organizations/acme', headers: bearer(admin.session_jwt), payload: change })
  t.equal(response.statusCode, 200, response.body)
  t.match(response.json(), { ...change, email_allowed_domains: ['acme.test', 'acme-corp.test'] })
  const stored = organizationBySlug(ctx, 'acme-inc')
  t.equal(stored?.organization_name, 'Acme Inc.', 'Stytch has it')
  t.equal(stored?.email_invites, 'RESTRICTED')

  // The session still names the organization by id (its JWT still carries the old slug until refreshed).
  const read = await ctx.app.inject({ url: `/v1/organizations/${stored?.organization_id ?? ''}`, headers: bearer(admin.session_jwt) })
  t.equal(read.json().organization_slug, 'acme-inc')
  const cleared = await ctx.app.inject({ method: 'PATCH', url: `/v1/organizations/${stored?.organization_id ?? ''}`, headers: bearer(admin.session_jwt), payload: { organization_logo_url: '' } })
  t.equal(cleared.json().organization_logo_url, '')
})

t.test('updateOrganization: Stytch\'s refusals come back through the one translation', async (t) => {
  const ctx = await buildApp(t)
  const admin = await loginForTokens(ctx.app, ctx.emulator, 'admin@acme.test')
  const patch = async (payload: object) => await ctx.app.inject({ method: 'PATCH', url: '/v1/organizations/acme', headers: bearer(admin.session_jwt), payload })

  const taken = await patch({ organization_slug: 'globex' })
  t.equal(taken.statusCode, 409)
  t.equal(taken.json().code, 'slug_taken')
  const common = await patch({ email_allowed_domains: ['gmail.com'] })
  t.equal(common.statusCode, 400)
  t.match(common.json().message, /common email provider/)
  const malformed = await patch({ email_allowed_domains: ['acme.test', 'acme.123'] })
  t.equal(malformed.statusCode, 400, 'a domain our schema lets through but Stytch refuses')
  t.same(organizationBySlug(ctx, 'acme')?.email_allowed_domains, ['acme.test'], 'nothing changed')

  // Refused by our schema before Stytch: not a domain, unknown fields, nothing to change.
  for (const payload of [{ email_allowed_domains: ['not a domain'] }, { trusted_metadata: { plan: 'free' } }, {}, { organization_slug: '--' }]) {
    t.equal((await patch(payload)).statusCode, 400, JSON.stringify(payload))
  }
})

t.test('updateOrganization: editors are refused locally; Stytch enforces the session too', async (t) => {
  const ctx = await buildApp(t)
  const editor = await loginForTokens(ctx.app, ctx.emulator, 'editor@acme.test')
  const denied = await ctx.app.inject({ method: 'PATCH', url: '/v1/organizations/acme', headers: bearer(editor.session_jwt), payload: { organization_name: 'Editor Inc.' } })
  t.equal(denied.statusCode, 403)
  t.equal(organizationBySlug(ctx, 'acme')?.organization_name, 'Acme')

  // Stytch's own check, with the SDK and the editor's session: refused there as well.
  const acme = organizationBySlug(ctx, 'acme')
  const refused = await ctx.app.stytch.client.organizations.update({ organization_id: acme?.organization_id ?? '', organization_name: 'Editor Inc.' }, { authorization: { session_jwt: editor.session_jwt } })
    .then(() => undefined, (err: unknown) => err as { status_code?: number, error_type?: string })
  t.match(refused, { status_code: 403, error_type: 'session_authorization_error' })
})
