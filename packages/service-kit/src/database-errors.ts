/** SQLSTATE classes and codes that mean "the database cannot be reached right now", not "this write is wrong". */
const connectionStates = /^(08|57P0[1-3]|53300)/
const connectionMessages =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|Connection terminated|connection timeout|Client has encountered a connection error|timeout exceeded when trying to connect/i

/**
 * True when a PostgreSQL call failed because the server is away (down, restarting, unreachable,
 * out of connections). Such failures are waited out without spending the job's attempts: a worker
 * retries forever on connection loss.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error; current instanceof Error; current = current.cause) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string' && (connectionStates.test(code) || connectionMessages.test(code)))
      return true
    if (connectionMessages.test(current.message)) return true
  }
  return false
}
