import type { ErrorStatuses } from '@bookstore/service-kit'
import type { GatewayErrorCode } from './domain/gateway-errors'

/** The status of each code the gateway answers with itself; the apps' answers pass through as they are. */
export const gatewayErrorStatuses = {
  UPSTREAM_UNAVAILABLE: 502,
  UPSTREAM_TIMEOUT: 504,
  RATE_LIMITED: 429,
  BAD_PATH: 400,
  BAD_UPGRADE: 400,
} as const satisfies ErrorStatuses<GatewayErrorCode>
