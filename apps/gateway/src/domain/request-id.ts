import { randomBytes } from 'node:crypto'

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/

/** This process' part of every id it makes: random, so ids of instances and restarts never collide. */
const processPart = randomBytes(6).toString('hex')
let counter = 0

/** A new request id: unique without a random draw per request (the hot path of every request). */
export const newRequestId = () => `${processPart}-${(++counter).toString(36)}`

/**
 * The request's id: the one the client (or a proxy in front) sent in X-Request-Id when it looks
 * like an id, else a new one. Passed upstream, so one id follows the request through every log.
 */
export function requestIdOf(header: string | string[] | undefined): string {
  const given = Array.isArray(header) ? header[0] : header
  return given !== undefined && SAFE_ID.test(given) ? given : newRequestId()
}
