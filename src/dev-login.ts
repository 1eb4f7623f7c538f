import type { FastifyInstance } from 'fastify'
import type { Config } from './config.js'
import type { OutboxMessage, RunningEmulator } from './emulator/index.js'

/** The seeded admin of the embedded default, whom the start-up login link (and the home page) is for. */
export const DEV_LOGIN = Object.freeze({ email: 'admin@acme.test', organization: 'acme' })

/**
 * Embedded default only: sends a login link for the seeded admin through the login service and
 * prints it, so a developer can open it in a browser and log in. No browser asked for it, so it
 * carries no PKCE challenge: like an invite, it lands on the confirmation page and logs in when
 * its button is pressed. The link is a credential, but one for a local emulator with seed data
 * that exists only in this process.
 */
export async function printDevLogin (app: FastifyInstance, config: Config, emulator: RunningEmulator): Promise<void> {
  const { email, organization } = DEV_LOGIN
  try {
    await app.login.sendLoginLink({ email_address: email, organization })
    const response = await fetch(new URL(`emulator/outbox?email=${encodeURIComponent(email)}`, emulator.url))
    const { messages } = await response.json() as { messages: OutboxMessage[] }
    const link = messages.at(-1)?.link
    app.log.info([
      `Embedded Stytch emulator: ${emulator.url} (no STYTCH_PROJECT_ID/STYTCH_SECRET set; development only)`,
      'Seed: acme (admin@acme.test stytch_admin, editor@acme.test editor, viewer@acme.test viewer), globex (admin@globex.test)',
      `Log in as ${email}: open ${link ?? '(no link found)'} and press "Log in"`,
      `Mailbox (every email the emulator sent, links clickable): ${emulator.url}emulator/mailbox`,
      `What is running, who is logged in: ${config.PUBLIC_URL}/`
    ].join('\n'))
  } catch (err) {
    app.log.warn({ message: (err as Error).message }, 'could not prepare a dev login link')
  }
}
