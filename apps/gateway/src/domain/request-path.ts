import { gatewayError } from './gateway-errors'

/** Longer than any route of the platform by far; a longer target is an attack or a bug. */
export const MAX_PATH_LENGTH = 2048

/**
 * Refuses a request target before it is routed or forwarded: dot segments (raw or percent-encoded),
 * backslashes, empty segments, control characters and bad percent-encoding could make an app see
 * another path than the one the gateway routed (`/api/cart/..%2fadmin/...`), so none gets through.
 */
export function checkRequestTarget(url: string): void {
  const bad = (reason: string) => gatewayError('BAD_PATH', `The request path is not valid: ${reason}`)
  if (url.length > MAX_PATH_LENGTH) throw bad('too long')
  if (!url.startsWith('/')) throw bad('it must start with /')
  const query = url.indexOf('?')
  const path = query === -1 ? url : url.slice(0, query)
  let decoded = path
  // Most paths have nothing to decode: decodeURIComponent is paid only by those that do.
  if (path.includes('%'))
    try {
      decoded = decodeURIComponent(path)
    } catch {
      throw bad('bad percent-encoding')
    }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for
  if (/[\u0000-\u001f\u007f]/.test(decoded)) throw bad('control characters')
  if (decoded.includes('\\')) throw bad('backslash')
  const segments = decoded.split('/').slice(1)
  if (segments.some((segment) => segment === '.' || segment === '..')) throw bad('dot segments')
  if (segments.slice(0, -1).some((segment) => segment === '')) throw bad('empty segments')
}
