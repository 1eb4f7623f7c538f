import t from 'tap'
import { B2BClient } from 'stytch'
import { createStytchClient } from '../../src/stytch/client.js'

const options = { projectId: 'project-test-00000000-0000-4000-8000-000000000000', secret: 'secret-test-x', timeoutMs: 1000 }
const baseUrl = (client: B2BClient): string => (client as unknown as { baseURL: string }).baseURL

t.test('the SDK itself warns on a custom env (what createStytchClient holds back)', async (t) => {
  const warns = t.capture(console, 'warn')
  const client = new B2BClient({ project_id: options.projectId, secret: options.secret, env: 'http://127.0.0.1:4010/' })
  t.match(warns(), [{ args: [/^\[Stytch\] Warning: Using a custom 'env' value \("http:\/\/127\.0\.0\.1:4010\/"\)/] }])
  t.equal(baseUrl(client), 'http://127.0.0.1:4010/')
})

t.test('createStytchClient: an http emulator URL through env, an https proxy through custom_base_url, no console warning either way', async (t) => {
  const warns = t.capture(console, 'warn')
  const captured = console.warn
  const emulator = createStytchClient({ ...options, apiUrl: 'http://127.0.0.1:4010' })
  t.teardown(emulator.close)
  t.equal(baseUrl(emulator.client), 'http://127.0.0.1:4010/')
  const proxy = createStytchClient({ ...options, apiUrl: 'https://stytch-proxy.example.test/' })
  t.teardown(proxy.close)
  t.equal(baseUrl(proxy.client), 'https://stytch-proxy.example.test/')
  const stytch = createStytchClient(options)
  t.teardown(stytch.close)
  t.equal(baseUrl(stytch.client), 'https://test.stytch.com/')
  t.same(warns(), [], 'nothing printed')
  t.equal(console.warn, captured, 'console.warn is put back')
  console.warn('another warning')
  t.match(warns(), [{ args: ['another warning'] }], 'and other warnings still go through')
})
