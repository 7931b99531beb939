import { BEARER_PROTOCOL_PREFIX, REALTIME_PROTOCOL } from '@bookstore/events'
import { errorsOf, type KitErrorCode } from '@bookstore/service-kit/domain-error'

/**
 * What the upgrade request must show before it becomes a socket: an allowed Origin (browsers), the
 * protocol version, and an access token. Everything here is checked on the HTTP request, so a
 * refusal is a plain HTTP answer with the usual error body, not a socket that opens and closes.
 */

/** Every code a socket is refused with; the statuses are declared at the edge (error-statuses.ts). */
export type HandshakeErrorCode =
  | 'ORIGIN_NOT_ALLOWED'
  | 'WS_PROTOCOL_REQUIRED'
  | 'TOO_MANY_SOCKETS'
  | Extract<KitErrorCode, 'AUTH_TOKEN_MISSING' | 'AUTH_TOKEN_INVALID'>

export const handshakeError = errorsOf<HandshakeErrorCode>()

/** The subprotocols a client offered (Sec-WebSocket-Protocol is a comma-separated list). */
export function offeredProtocols(header: string | string[] | undefined): string[] {
  if (header === undefined) return []
  const joined = Array.isArray(header) ? header.join(',') : header
  return joined
    .split(',')
    .map((protocol) => protocol.trim())
    .filter(Boolean)
}

/**
 * Browsers send Origin and cannot fake it: a foreign page is refused (cross-site WebSocket
 * hijacking). Without an Origin the client is not a browser, and an allow-list could not stop it.
 */
export function checkOrigin(origin: string | undefined, allowed: ReadonlySet<string>): void {
  if (origin === undefined) return
  if (!allowed.has(origin))
    throw handshakeError('ORIGIN_NOT_ALLOWED', `Origin ${origin} may not open a socket here`)
}

export function checkProtocol(offered: readonly string[]): void {
  if (!offered.includes(REALTIME_PROTOCOL))
    throw handshakeError('WS_PROTOCOL_REQUIRED', `Offer the subprotocol ${REALTIME_PROTOCOL}`, {
      expected: REALTIME_PROTOCOL,
    })
}

/**
 * The access token: the `bearer.<jwt>` subprotocol (browsers), else `Authorization: Bearer <jwt>`
 * (command-line and server clients). Never a query parameter: URLs end up in access logs, proxies
 * and browser history, headers do not.
 */
export function accessToken(offered: readonly string[], authorization: string | undefined): string {
  const fromProtocol = offered.find((protocol) => protocol.startsWith(BEARER_PROTOCOL_PREFIX))
  if (fromProtocol !== undefined) return fromProtocol.slice(BEARER_PROTOCOL_PREFIX.length)
  if (authorization !== undefined) {
    const [scheme, token] = authorization.split(' ')
    if (scheme?.toLowerCase() === 'bearer' && token) return token
    throw handshakeError('AUTH_TOKEN_INVALID', 'The Authorization header must be: Bearer <token>')
  }
  throw handshakeError(
    'AUTH_TOKEN_MISSING',
    `Send an access token: subprotocol ${BEARER_PROTOCOL_PREFIX}<token> or Authorization: Bearer <token>`,
  )
}

/**
 * When a token (already verified) expires, in epoch ms; the socket is closed then (4401) so that a
 * revoked or expired token does not keep a socket open for ever.
 */
export function tokenExpiresAt(token: string): number {
  const payload = token.split('.')[1]
  if (payload === undefined) return Number.POSITIVE_INFINITY
  try {
    const { exp } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown }
    return typeof exp === 'number' ? exp * 1000 : Number.POSITIVE_INFINITY
  } catch {
    return Number.POSITIVE_INFINITY
  }
}
