import type { FastifyInstance } from 'fastify'
import type { Config } from './config.js'
import type { OutboxMessage, RunningEmulator } from './emulator/index.js'

/** The seeded admin of the embedded default, whom the start-up login link (and the home page) is for. */
export const DEV_LOGIN = Object.freeze({ email: 'admin@acme.test', organization: 'acme' })

/**
 * Embedded default only: sends a login link for the seeded admin through the login service and
 * prints it, so a developer can open it in a browser and log in. No browser asked for it, so it
 * carries no PKCE challenge: like an invite, it lands on the confirmation page and logs in when
 * its button is pressed.
 *
 * The link is printed as plain text to `out` (stderr), alone on its line, so it can be copied or
 * clicked as is whatever the log format: inside a JSON log line it would come with quotes and
 * escapes around it, and a credential (even one for a local emulator with seed data that exists
 * only in this process) does not belong in the logs. The log gets a line saying where it went.
 */
export async function printDevLogin (app: FastifyInstance, config: Config, emulator: RunningEmulator, out: NodeJS.WritableStream = process.stderr): Promise<void> {
  const { email, organization } = DEV_LOGIN
  try {
    await app.login.sendLoginLink({ email_address: email, organization })
    const response = await fetch(new URL(`emulator/outbox?email=${encodeURIComponent(email)}`, emulator.url))
    const { messages } = await response.json() as { messages: OutboxMessage[] }
    const link = messages.at(-1)?.link
    if (link === undefined) throw new Error('no login link in the emulator\'s outbox')
    out.write([
      '',
      `Embedded Stytch emulator at ${emulator.url} (no STYTCH_PROJECT_ID/STYTCH_SECRET set: development only).`,
      'Seed: acme (admin@acme.test stytch_admin, editor@acme.test editor, viewer@acme.test viewer), globex (admin@globex.test).',
      emulator.stateFile === undefined
        ? 'Emulator state: in memory (lost on restart).'
        : `Emulator state: ${emulator.stateFile} (${emulator.restored ? 'restored: same ids, sessions and links as before' : 'new'}; delete it to start over).`,
      `Log in as ${email}: open this link in a browser, then press "Log in":`,
      '',
      link,
      '',
      `More links: POST ${config.PUBLIC_URL}/v1/auth/magic-links/send, then read them in the mailbox: ${emulator.url}emulator/mailbox`,
      `What is running, who is logged in: ${config.PUBLIC_URL}/`,
      ''
    ].join('\n'))
    app.log.info({ emulator: emulator.url }, 'embedded Stytch emulator (development only): a login link for admin@acme.test is printed on stderr')
  } catch (err) {
    app.log.warn({ message: (err as Error).message }, 'could not prepare a dev login link')
  }
}
