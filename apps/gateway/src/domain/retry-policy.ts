/**
 * What an upstream failure was, and whether the request may go to another instance. A connection
 * that was never made carried nothing, so any request may go elsewhere; a connection lost with the
 * request under way may have done its work, so only a request that is safe to send twice does:
 * an idempotent method, or a change carrying an Idempotency-Key (the apps replay its first answer).
 */
export type UpstreamFailure = 'connect' | 'reset' | 'timeout' | 'other'

const connectCodes = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
])
const resetCodes = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED'])
const timeoutCodes = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'])

const codesOf = (error: unknown): string[] => {
  const codes: string[] = []
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    if (typeof current !== 'object') break
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string') codes.push(code)
    current = (current as { cause?: unknown }).cause
  }
  return codes
}

export function classifyFailure(error: unknown): UpstreamFailure {
  const codes = codesOf(error)
  // The innermost cause says what happened; a wrapper only says how the client saw it.
  for (const code of [...codes].reverse()) {
    if (connectCodes.has(code)) return 'connect'
    if (timeoutCodes.has(code)) return 'timeout'
    if (resetCodes.has(code)) return 'reset'
  }
  return 'other'
}

const idempotentMethods = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'])

export function mayRetry(
  failure: UpstreamFailure,
  request: { method: string; hasIdempotencyKey: boolean },
): boolean {
  if (failure === 'connect') return true
  // A timed-out request is still running upstream: sending it again doubles the load that made it slow.
  if (failure !== 'reset') return false
  return idempotentMethods.has(request.method) || request.hasIdempotencyKey
}

/** A failure that says the instance is gone (not merely slow): skip it until a probe finds it back. */
export const takesInstanceDown = (failure: UpstreamFailure) => failure === 'connect' || failure === 'reset'
