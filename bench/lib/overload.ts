/** What an overloaded server does instead of answering 2xx: each is counted, none is thrown. */

export interface Overload {
  errors: number
  timeouts: number
  status503: number
  /** Every answer outside 2xx, the 503s included. */
  non2xx: number
}

export const noOverload = (): Overload => ({ errors: 0, timeouts: 0, status503: 0, non2xx: 0 })

/** Adds the counts of `run` to `total`. */
export function addOverload(total: Overload, run: Overload): void {
  total.errors += run.errors
  total.timeouts += run.timeouts
  total.status503 += run.status503
  total.non2xx += run.non2xx
}

/** How many requests got no 2xx answer (an error, a timeout or another status). */
export const notOk = (overload: Overload) => overload.errors + overload.timeouts + overload.non2xx

export const describeOverload = (overload: Overload) =>
  `errors ${overload.errors}, timeouts ${overload.timeouts}, 503 ${overload.status503}, non-2xx ${overload.non2xx}`
