// The organization rules create and update share (reference §9.1), through the real SDK: unique
// external ids, email implicit role assignments (assignable roles only, domains lower-cased, the
// roles they grant), and an organization always keeping a way to provision members.
import t from 'tap'
import { memberId, orgId, rejectsStytch, startHarness } from './helper.js'

t.test('organization_external_id: unique across organizations, kept by its own organization, "" is no id', async (t) => {
  const h = await startHarness(t)
  const { organization } = await h.client.organizations.create({ organization_name: 'Initech', organization_slug: 'initech', organization_external_id: 'crm-42' })
  t.equal(organization.organization_external_id, 'crm-42')
  t.equal((await h.client.organizations.get({ organization_id: 'crm-42' })).organization.organization_id, organization.organization_id,
    'the external id finds the organization')
  await rejectsStytch(t, h.client.organizations.create({ organization_name: 'Initrode', organization_slug: 'initrode', organization_external_id: 'crm-42' }),
    { status_code: 400, error_type: 'organization_external_id_already_used' }, 'create with a used external id')
  await rejectsStytch(t, h.client.organizations.get({ organization_id: 'initrode' }), { status_code: 404, error_type: 'organization_not_found' },
    'nothing was created')
  const acme = await orgId(h, 'acme')
  await rejectsStytch(t, h.client.organizations.update({ organization_id: acme, organization_external_id: 'crm-42' }),
    { status_code: 400, error_type: 'organization_external_id_already_used' }, 'update to another organization\'s external id')
  const same = await h.client.organizations.update({ organization_id: organization.organization_id, organization_external_id: 'crm-42', organization_name: 'Initech Inc' })
  t.match(same.organization, { organization_external_id: 'crm-42', organization_name: 'Initech Inc' }, 'an organization may keep its own')
  const a = await h.client.organizations.create({ organization_name: 'Empty A', organization_slug: 'empty-a', organization_external_id: '' })
  const b = await h.client.organizations.create({ organization_name: 'Empty B', organization_slug: 'empty-b', organization_external_id: '' })
  t.not(a.organization.organization_id, b.organization.organization_id, 'two organizations without an external id do not clash')
})

t.test('email implicit role assignments: assignable roles only; domains lower-cased; the role reaches matching members', async (t) => {
  const h = await startHarness(t)
  await rejectsStytch(t, h.client.organizations.create({
    organization_name: 'Initech', organization_slug: 'initech', rbac_email_implicit_role_assignments: [{ domain: 'initech.test', role_id: 'stytch_member' }]
  }), { status_code: 400, error_type: 'cannot_assign_default_rbac_role_id' }, 'stytch_member is everyone\'s already')
  await rejectsStytch(t, h.client.organizations.create({
    organization_name: 'Initech', organization_slug: 'initech', rbac_email_implicit_role_assignments: [{ domain: 'initech.test', role_id: 'no-such-role' }]
  }), { status_code: 400, error_type: 'invalid_rbac_role_id' }, 'a role the policy does not have')
  const { organization } = await h.client.organizations.create({
    organization_name: 'Initech', organization_slug: 'initech', rbac_email_implicit_role_assignments: [{ domain: 'Initech.TEST', role_id: 'editor' }]
  })
  t.same(organization.rbac_email_implicit_role_assignments, [{ domain: 'initech.test', role_id: 'editor' }], 'the domain is lower-cased')
  const { member } = await h.client.organizations.members.create({ organization_id: organization.organization_id, email_address: 'peter@initech.test' })
  t.same(member.roles.find((role) => role.role_id === 'editor')?.sources, [{ type: 'email_assignment', details: { domain: 'initech.test' } }],
    'a member of the domain gets the role by email assignment')
  const outsider = await h.client.organizations.members.create({ organization_id: organization.organization_id, email_address: 'bob@elsewhere.test' })
  t.same(outsider.member.roles.map((role) => role.role_id), ['stytch_member'], 'others do not')
})

t.test('on update, the organization\'s own custom roles can be assigned by email too', async (t) => {
  const h = await startHarness(t)
  const acme = await orgId(h, 'acme')
  await rejectsStytch(t, h.client.organizations.update({ organization_id: acme, rbac_email_implicit_role_assignments: [{ domain: 'acme.test', role_id: 'auditor' }] }),
    { status_code: 400, error_type: 'invalid_rbac_role_id' }, 'not a role yet')
  await h.client.rbac.organizations.setOrgPolicy({
    organization_id: acme,
    org_policy: { roles: [{ role_id: 'auditor', description: 'Reads documents', permissions: [{ resource_id: 'documents', actions: ['read'] }] }] }
  })
  const { organization } = await h.client.organizations.update({ organization_id: acme, rbac_email_implicit_role_assignments: [{ domain: 'ACME.test', role_id: 'auditor' }] })
  t.same(organization.rbac_email_implicit_role_assignments, [{ domain: 'acme.test', role_id: 'auditor' }])
  const viewer = await h.client.organizations.members.get({ organization_id: acme, member_id: await memberId(h, acme, 'viewer@acme.test') })
  t.ok(viewer.member.roles.some((role) => role.role_id === 'auditor' && role.sources.some((source) => source.type === 'email_assignment')),
    'existing members of the domain have it at once')
  await rejectsStytch(t, h.client.organizations.update({ organization_id: acme, rbac_email_implicit_role_assignments: [{ domain: 'acme.test', role_id: 'stytch_member' }] }),
    { status_code: 400, error_type: 'cannot_assign_default_rbac_role_id' })
  const unchanged = await h.client.organizations.update({ organization_id: acme, organization_name: 'Acme Corp' })
  t.same(unchanged.organization.rbac_email_implicit_role_assignments, [{ domain: 'acme.test', role_id: 'auditor' }], 'kept when not sent')
})

t.test('an organization must keep at least one way to provision members', async (t) => {
  const h = await startHarness(t)
  const { organization } = await h.client.organizations.create({ organization_name: 'Initech', organization_slug: 'initech' })
  t.match(organization, { email_jit_provisioning: 'NOT_ALLOWED', oauth_tenant_jit_provisioning: 'NOT_ALLOWED', sso_jit_provisioning: 'ALL_ALLOWED', email_invites: 'ALL_ALLOWED' })
  const id = organization.organization_id
  await h.client.organizations.update({ organization_id: id, sso_jit_provisioning: 'NOT_ALLOWED' })
  await rejectsStytch(t, h.client.organizations.update({ organization_id: id, email_invites: 'NOT_ALLOWED' }),
    { status_code: 400, error_type: 'invalid_organization_settings' }, 'turning the last one off')
  t.equal((await h.client.organizations.get({ organization_id: id })).organization.email_invites, 'ALL_ALLOWED', 'the refused update changed nothing')
  const swapped = await h.client.organizations.update({
    organization_id: id, email_invites: 'NOT_ALLOWED', email_jit_provisioning: 'RESTRICTED', email_allowed_domains: ['Initech.test']
  })
  t.match(swapped.organization, { email_invites: 'NOT_ALLOWED', email_jit_provisioning: 'RESTRICTED', email_allowed_domains: ['initech.test'] },
    'fine when another way is opened in the same update (domains lower-cased)')
})
