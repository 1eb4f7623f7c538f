import pretty from 'pino-pretty'

/**
 * Where the process's logs go: on a terminal (`npm start`, `npm run dev` in a shell) pino-pretty's
 * readable, coloured lines; anywhere else (a pipe, a file, a container, CI, tests) undefined, which
 * keeps pino's default of one JSON object per line on stdout for log collectors. Pretty printing
 * runs in the main thread and writes synchronously: it is for a developer's terminal, where a line
 * lost on exit costs more than the throughput.
 */
export function logDestination (stdout: { isTTY?: boolean } = process.stdout): NodeJS.WritableStream | undefined {
  if (stdout.isTTY !== true) return undefined
  return pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', sync: true })
}
