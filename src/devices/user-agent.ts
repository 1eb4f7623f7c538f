import Bowser from 'bowser'

/** Longest user agent kept (longer ones are cut): headers can be 16 KB, a device row need not be. */
export const MAX_USER_AGENT_LENGTH = 512

/** What a User-Agent header says about the device, as the session list shows it. */
export interface ParsedUserAgent {
  user_agent: string | null
  /** e.g. `Chrome 124.0.0.0`; null when the parser does not recognize it. */
  browser: string | null
  /** e.g. `macOS 10.15.7`; null when the parser does not recognize it. */
  os: string | null
}

const join = (name: string | undefined, version: string | undefined): string | null => {
  const text = [name, version].filter((part) => part !== undefined && part !== '').join(' ')
  return text === '' ? null : text
}

/**
 * Parses a User-Agent header with bowser (MIT, the well-kept parser the issue asks for). Only the
 * header itself: client hints are not trusted to say more. Never throws: an empty, absent or
 * unrecognized header gives nulls.
 */
export function parseUserAgent (header: string | undefined): ParsedUserAgent {
  const userAgent = header === undefined || header.trim() === '' ? null : header.slice(0, MAX_USER_AGENT_LENGTH)
  if (userAgent === null) return { user_agent: null, browser: null, os: null }
  try {
    const parsed = Bowser.parse(userAgent)
    return { user_agent: userAgent, browser: join(parsed.browser.name, parsed.browser.version), os: join(parsed.os.name, parsed.os.version) }
  } catch {
    return { user_agent: userAgent, browser: null, os: null }
  }
}
