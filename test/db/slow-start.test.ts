import { mock } from 'node:test'
import Fastify, { type FastifyServerOptions } from 'fastify'
import fp from 'fastify-plugin'
import t from 'tap'
import { serverOptions } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'

/**
 * Start-up on a busy machine (issue 14): opening PGlite and migrating can take longer than
 * Fastify's default plugin timeout of 10 s, which then aborts start-up with "Plugin did not start
 * in time". The server options (the ones server.ts and the test helper use) must allow for it.
 */

t.test('the server options give each plugin 120 s by default, PLUGIN_TIMEOUT_MS otherwise', async (t) => {
  t.equal(serverOptions(loadConfig({})).pluginTimeout, 120_000)
  t.equal(serverOptions(loadConfig({ PLUGIN_TIMEOUT_MS: '300000' })).pluginTimeout, 300_000)
  t.equal(serverOptions(loadConfig({ PLUGIN_TIMEOUT_MS: '0' })).pluginTimeout, 0, '0: no limit')
  t.throws(() => loadConfig({ PLUGIN_TIMEOUT_MS: 'soon' }), /PLUGIN_TIMEOUT_MS/)
})

/**
 * Boots a Fastify instance with one plugin whose initialisation takes 11 s, on a mocked clock
 * (avvio's plugin timeout is a setTimeout too), so the test takes milliseconds.
 */
async function bootWithPluginTaking11s (options: FastifyServerOptions): Promise<string> {
  mock.timers.enable({ apis: ['setTimeout'] })
  const app = Fastify(options)
  try {
    let started!: () => void
    const running = new Promise<void>((resolve) => { started = resolve })
    // Not awaited: awaiting register() would wait for the plugin itself, before the clock moves.
    void app.register(fp(async function slowDatabase () {
      started()
      await new Promise((resolve) => setTimeout(resolve, 11_000))
    }))
    const ready = app.ready()
    await running
    mock.timers.tick(11_000)
    await ready
    return 'ready'
  } catch (err) {
    return (err as { code?: string }).code ?? String(err)
  } finally {
    mock.timers.reset()
    await app.close().catch(() => {})
  }
}

t.test('a plugin that takes 11 s to start: fatal with Fastify\'s default, fine with the server options', async (t) => {
  t.equal(await bootWithPluginTaking11s({ logger: false }), 'FST_ERR_PLUGIN_TIMEOUT', 'what happened on the busy machine')
  t.equal(await bootWithPluginTaking11s({ ...serverOptions(loadConfig({})), logger: false }), 'ready')
})
