import { randomUUID } from 'node:crypto'

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/

/**
 * The request's id: the one the client (or a proxy in front) sent in X-Request-Id when it looks
 * like an id, else a new one. Passed upstream, so one id follows the request through every log.
 */
export function requestIdOf(header: string | string[] | undefined): string {
  const given = Array.isArray(header) ? header[0] : header
  return given !== undefined && SAFE_ID.test(given) ? given : randomUUID()
}
