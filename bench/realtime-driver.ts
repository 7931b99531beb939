/**
 * The HTTP side of bench/realtime.ts, in its own process so that sending changes does not delay
 * the process that reads the sockets (a delayed read would count as delivery latency). Started with
 * an IPC channel; each request `{ count, firstUser }` drives `count` changes through cart-api at
 * `rate` per second, evenly spaced, round-robin over the users from `firstUser`, and answers with
 * the seconds it took.
 */
import { setTimeout as sleep } from 'node:timers/promises'

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

async function change(user: number) {
  if (!setup) throw new Error('no setup')
  const response = await fetch(`${setup.cartApiUrl}/cart/items`, {
    method: 'POST',
    headers: { authorization: `Bearer ${setup.tokens[user]}`, 'content-type': 'application/json' },
    body: JSON.stringify({ bookId: setup.bookId, quantity: 1 }),
  })
  const body = await response.text()
  if (response.status !== 200) throw new Error(`cart-api answered ${response.status}: ${body}`)
}

async function drive({ count, firstUser }: Drive) {
  if (!setup) throw new Error('no setup')
  const inFlight: Promise<void>[] = []
  const started = performance.now()
  for (let index = 0; index < count; index++) {
    const wait = started + (index * 1000) / setup.rate - performance.now()
    if (wait > 1) await sleep(wait)
    inFlight.push(change((firstUser + index) % setup.tokens.length))
  }
  await Promise.all(inFlight)
  return (performance.now() - started) / 1000
}

process.on('message', (message: { setup?: Setup; drive?: Drive }) => {
  if (message.setup) {
    setup = message.setup
    process.send?.({ ready: true })
  } else if (message.drive) {
    drive(message.drive).then(
      (seconds) => process.send?.({ seconds }),
      (error: unknown) => process.send?.({ error: String(error) }),
    )
  }
})
process.on('disconnect', () => process.exit(0))
