/**
 * Which methods the routes serve at a concrete path, so a request with the wrong method on a known
 * path can be answered 405 with an `Allow` header (RFC 9110 §15.5.6) instead of 404. Patterns are
 * the router's: `:param` matches one non-empty segment, a trailing `*` anything; a catch-all route
 * (`*`, `/*`, such as the CORS preflight) makes no path "known". Trailing slashes are ignored, as
 * the router does (`ignoreTrailingSlash`); a path with a dot segment (`.`, `..`) is no route's.
 */
export interface RouteIndex {
  add: (method: string | string[], url: string) => void
  /** The methods served at `path` (no query string), sorted; empty for an unknown path. */
  allowedMethods: (path: string) => string[]
}

const DOT_SEGMENT = /^(\.|%2e){1,2}$/i
const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
const trimSlash = (path: string): string => (path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path)

function compile (url: string): RegExp {
  const segments = trimSlash(url).split('/').map((segment) => {
    if (segment === '*') return '.*'
    // `:name`, optionally with the router's regexp suffix `:name(re)`: one segment either way.
    if (segment.startsWith(':')) return '[^/]+'
    return escapeRegExp(segment)
  })
  return new RegExp(`^${segments.join('/')}$`)
}

export function createRouteIndex (): RouteIndex {
  const routes = new Map<string, { pattern: RegExp, methods: Set<string> }>()
  return {
    add (method, url) {
      if (url === '*' || url === '/*') return
      const key = trimSlash(url)
      let entry = routes.get(key)
      if (entry === undefined) {
        entry = { pattern: compile(url), methods: new Set() }
        routes.set(key, entry)
      }
      for (const m of Array.isArray(method) ? method : [method]) {
        entry.methods.add(m.toUpperCase())
        // The router answers HEAD wherever it answers GET.
        if (m.toUpperCase() === 'GET') entry.methods.add('HEAD')
      }
    },
    allowedMethods (path) {
      const target = trimSlash(path)
      // A dot segment names another path once normalized (RFC 3986 §5.2.4): no route's, here.
      if (target.split('/').some((segment) => DOT_SEGMENT.test(segment))) return []
      const allowed = new Set<string>()
      for (const { pattern, methods } of routes.values()) {
        if (pattern.test(target)) for (const m of methods) allowed.add(m)
      }
      return [...allowed].sort()
    }
  }
}
