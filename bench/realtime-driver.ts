/**
 * The HTTP side of bench/realtime.ts, in its own process so that sending changes does not delay
 * the process that reads the sockets (a delayed read would count as delivery latency). Started with
 * an IPC channel; each request `{ count, firstUser }` drives `count` changes through cart-api at
 * `rate` per second, evenly spaced, round-robin over the users from `firstUser`, and answers with
 * the seconds it took and how many changes got no 200 (counted, never thrown: an overloaded
 * cart-api must not end the bench).
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { noOverload, type Overload } from './lib/overload'

/** Seconds a change may wait for its answer. */
const timeoutSec = 10

interface Setup {
  cartApiUrl: string
  tokens: string[]
  bookId: string
  rate: number
}
interface Drive {
  count: number
  firstUser: number
}

let setup: Setup | undefined

async function change(user: number, overload: Overload) {
  if (!setup) throw new Error('no setup')
  try {
    const response = await fetch(`${setup.cartApiUrl}/cart/items`, {
      method: 'POST',
      headers: { authorization: `Bearer ${setup.tokens[user]}`, 'content-type': 'application/json' },
      body: JSON.stringify({ bookId: setup.bookId, quantity: 1 }),
      signal: AbortSignal.timeout(timeoutSec * 1000),
    })
    const body = await response.text()
    if (response.status === 200) return
    overload.non2xx++
    if (response.status === 503) overload.status503++
    if (overload.non2xx === 1) console.error(`cart-api answered ${response.status}: ${body.slice(0, 300)}`)
  } catch (error) {
    if (error instanceof Error && error.name === 'TimeoutError') overload.timeouts++
    else overload.errors++
  }
}

async function drive({ count, firstUser }: Drive) {
  if (!setup) throw new Error('no setup')
  const overload: Overload = noOverload()
  const inFlight: Promise<void>[] = []
  const started = performance.now()
  for (let index = 0; index < count; index++) {
    const wait = started + (index * 1000) / setup.rate - performance.now()
    if (wait > 1) await sleep(wait)
    inFlight.push(change((firstUser + index) % setup.tokens.length, overload))
  }
  await Promise.all(inFlight)
  return { seconds: (performance.now() - started) / 1000, overload }
}

process.on('message', (message: { setup?: Setup; drive?: Drive }) => {
  if (message.setup) {
    setup = message.setup
    process.send?.({ ready: true })
  } else if (message.drive) {
    drive(message.drive).then(
      (result) => process.send?.(result),
      (error: unknown) => process.send?.({ error: String(error) }),
    )
  }
})
process.on('disconnect', () => process.exit(0))
