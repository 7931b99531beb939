import type { IncomingHttpHeaders } from 'node:http'

/**
 * The headers an app gets from the gateway about the original request. Without trusted proxies in
 * front, the gateway is the edge: what the client claims in X-Forwarded-* is dropped and the peer's
 * address is the client's. Behind trusted proxies their chain is kept and the peer appended, so an
 * app trusting only the gateway still reads the right client address (the rightmost untrusted one).
 */
export interface OriginalRequest {
  requestId: string
  peerAddress: string | undefined
  protocol: string
  host: string
  trustsProxies: boolean
}

type Headers = IncomingHttpHeaders

export function forwardedHeaders(headers: Headers, original: OriginalRequest): Headers {
  const forwarded: Headers = { ...headers }
  const chain = original.trustsProxies ? headers['x-forwarded-for'] : undefined
  for (const name of [
    'x-forwarded-for',
    'x-forwarded-proto',
    'x-forwarded-host',
    'x-forwarded-port',
    'forwarded',
  ])
    delete forwarded[name]
  const peer = original.peerAddress ?? 'unknown'
  const earlier = Array.isArray(chain) ? chain.join(', ') : typeof chain === 'string' ? chain : undefined
  forwarded['x-forwarded-for'] = earlier ? `${earlier}, ${peer}` : peer
  forwarded['x-forwarded-proto'] = original.protocol
  forwarded['x-forwarded-host'] = original.host
  forwarded['x-request-id'] = original.requestId
  return forwarded
}
