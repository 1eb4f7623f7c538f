import type { FastifyInstance } from 'fastify'
import type { Config } from './config.js'
import type { OutboxMessage, RunningEmulator } from './emulator/index.js'

/**
 * Embedded default only: sends a login link for the seeded admin through the login service and
 * prints it, so a developer can open it in a browser and log in. No browser asked for it, so it
 * carries no PKCE challenge: like an invite, it lands on the confirmation page and logs in when
 * its button is pressed. The link is a credential, but one for a local emulator with seed data
 * that exists only in this process.
 */
export async function printDevLogin (app: FastifyInstance, config: Config, emulator: RunningEmulator): Promise<void> {
  const email = 'admin@acme.test'
  try {
    await app.login.sendLoginLink({ email_address: email, organization: 'acme' })
    const response = await fetch(new URL(`emulator/outbox?email=${encodeURIComponent(email)}`, emulator.url))
    const { messages } = await response.json() as { messages: OutboxMessage[] }
    const link = messages.at(-1)?.link
    app.log.info([
      `Embedded Stytch emulator: ${emulator.url} (no STYTCH_PROJECT_ID/STYTCH_SECRET set; development only)`,
      'Seed: acme (admin@acme.test stytch_admin, editor@acme.test editor, viewer@acme.test viewer), globex (admin@globex.test)',
      emulator.stateFile === undefined
        ? 'Emulator state: in memory (lost on restart)'
        : `Emulator state: ${emulator.stateFile} (${emulator.restored ? 'restored: same ids, sessions and links as before' : 'new'}; delete it to start over)`,
      `Log in as ${email}: open ${link ?? '(no link found)'} and press "Log in"`,
      `More links: POST /v1/auth/magic-links/send, then read them at ${emulator.url}emulator/outbox`
    ].join('\n'))
  } catch (err) {
    app.log.warn({ message: (err as Error).message }, 'could not prepare a dev login link')
  }
}
