import { errorsOf } from '@bookstore/service-kit/domain-error'

/** The codes the gateway itself answers with (the apps' own codes pass through unchanged). */
export type GatewayErrorCode =
  | 'UPSTREAM_UNAVAILABLE'
  | 'UPSTREAM_TIMEOUT'
  | 'RATE_LIMITED'
  | 'BAD_PATH'
  | 'BAD_UPGRADE'

export const gatewayError = errorsOf<GatewayErrorCode>()
