import type { ErrorStatuses } from '@bookstore/service-kit'
import type { HandshakeErrorCode } from './domain/handshake'

/** The HTTP status of each code a refused upgrade gets (the kit's AUTH_TOKEN_* are known). */
export const handshakeErrorStatuses = {
  ORIGIN_NOT_ALLOWED: 403,
  WS_PROTOCOL_REQUIRED: 400,
  TOO_MANY_SOCKETS: 429,
} as const satisfies ErrorStatuses<HandshakeErrorCode>
