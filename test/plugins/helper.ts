// Plugin tests (STYLE P11): one of our plugins on a bare `Fastify()`, with the plugins it depends on
// replaced by named `fp` fakes. This is the home of those fakes' shared pieces; the emulator and the
// whole app live in ../emulator/helper.ts and ../helper.ts.
import Fastify, { type FastifyInstance, type FastifyPluginAsync, type LightMyRequestResponse } from 'fastify'
import fp from 'fastify-plugin'
import type { Test } from 'tap'
import { loadConfig, type Config } from '../../src/config.js'
import { ownErrorCode } from '../../src/errors.js'
import { TEST_ENV } from '../helper.js'

export const PROJECT_ID = 'project-test-00000000-0000-4000-8000-000000000000'

/** The test configuration, with Stytch credentials set (no Stytch is contacted: its plugin is faked). */
export function pluginConfig (env: Record<string, string> = {}): Config {
  return loadConfig({ ...TEST_ENV, STYTCH_PROJECT_ID: PROJECT_ID, STYTCH_SECRET: 'secret-test-plugin', ...env })
}

/** A bare Fastify with `fastify.config` decorated (src/app.ts does that in the app), closed at teardown. */
export function bareApp (t: Test, config: Config = pluginConfig()): FastifyInstance {
  const app = Fastify()
  app.decorate('config', config)
  t.teardown(() => app.close())
  return app
}

/** A named stand-in for one of our plugins, so `fp` dependency checks pass against it. */
export const fakePlugin = (name: string, plugin: FastifyPluginAsync): FastifyPluginAsync => fp(plugin, { name })

/**
 * The machine code of an error response. A bare Fastify renders our typed errors with Fastify's own
 * handler (code upper-cased); the app's handler turns them into this same lower-case code.
 */
export const errorCode = (response: LightMyRequestResponse): string | undefined =>
  ownErrorCode(response.json<{ code?: string }>().code)
