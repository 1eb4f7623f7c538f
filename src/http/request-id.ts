import { randomUUID } from 'node:crypto'
import { BlockList, isIP } from 'node:net'

/**
 * Request ids (issue 13): a fresh UUID per request, or the `X-Request-Id` a trusted proxy sent
 * (TRUST_PROXY), so a request keeps one id from the edge to our logs. A client that is not a
 * trusted proxy cannot choose its id (it would forge log correlation), and a proxy's value is kept
 * only when it is short and of a safe character set (it goes into logs and a response header).
 */

/** Accepted incoming ids: 1 to 128 characters of letters, digits and `-_.:/+=@`. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:/+=@-]{1,128}$/

/** proxy-addr's (Fastify's) keywords for address ranges, as CIDRs. */
const KEYWORDS: Record<string, string[]> = {
  loopback: ['127.0.0.1/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7']
}

/**
 * Whether a peer address is one of TRUST_PROXY's entries: addresses, CIDRs and the keywords
 * `loopback`, `linklocal`, `uniquelocal` (Fastify's `trustProxy` list, by the immediate peer only).
 */
export function trustedPeer (entries: readonly string[]): (address: string | undefined) => boolean {
  if (entries.length === 0) return () => false
  const list = new BlockList()
  for (const entry of entries.flatMap((e) => KEYWORDS[e] ?? [e])) {
    const [address = '', bits] = entry.split('/')
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4'
    if (isIP(address) === 0) continue
    if (bits === undefined) list.addAddress(address, family)
    else list.addSubnet(address, Number(bits), family)
  }
  return (address) => {
    if (address === undefined) return false
    // An IPv4 peer on a dual-stack socket is reported as ::ffff:a.b.c.d.
    const plain = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address
    const family = isIP(plain)
    return family !== 0 && list.check(plain, family === 6 ? 'ipv6' : 'ipv4')
  }
}

/** What the id generator reads of Node's request (structurally: src/ stays framework-free). */
interface RawRequest { headers: Record<string, string | string[] | undefined>, socket?: { remoteAddress?: string | undefined } | null }

/** Fastify's `genReqId`: the trusted proxy's valid `X-Request-Id`, else a new UUID. */
export function requestIdGenerator (trustProxy: readonly string[]): (request: RawRequest) => string {
  const trusted = trustedPeer(trustProxy)
  if (trustProxy.length === 0) return () => randomUUID()
  return (request) => {
    const incoming = request.headers['x-request-id']
    if (typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) && trusted(request.socket?.remoteAddress)) return incoming
    return randomUUID()
  }
}
