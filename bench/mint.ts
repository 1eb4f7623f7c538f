/**
 * Mints session JWTs for the 100k-session scenario (bench/run.ts), in a child process so that two
 * of them use both cores while nothing is measured. Input (stdin, JSON): the emulator's signing key
 * (PKCS#8 PEM), the protected header and payload of a real session JWT, and which sessions to mint.
 * Each token differs from the template only in the session id (and, through it, its signature).
 * Output: one token per line.
 */
import { createPrivateKey, sign } from 'node:crypto'

interface Job { pem: string, header: Record<string, unknown>, payload: Record<string, unknown>, from: number, count: number }

let input = ''
for await (const chunk of process.stdin) input += String(chunk)
const job = JSON.parse(input) as Job
const key = createPrivateKey(job.pem)
const header = Buffer.from(JSON.stringify(job.header)).toString('base64url')
const claim = 'https://stytch.com/session'
const session = job.payload[claim] as Record<string, unknown>
const lines: string[] = []
for (let i = job.from; i < job.from + job.count; i++) {
  const payload = { ...job.payload, [claim]: { ...session, id: `member-session-bench-${String(i).padStart(8, '0')}-0000-4000-8000-000000000000` } }
  const signingInput = `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`
  lines.push(`${signingInput}.${sign('sha256', Buffer.from(signingInput), key).toString('base64url')}`)
}
process.stdout.write(lines.join('\n'))
