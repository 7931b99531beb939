/**
 * The smoke flow of infra/compose/smoke.sh, run on the host against the published ports of the
 * compose stack: a new shopper registers and logs in, opens SMOKE_SOCKETS live-cart sockets through
 * the gateway (spread over the realtime-gateway replicas), adds a book, sees the change on every
 * socket, checks out, follows the order to `confirmed` and finds the confirmation e-mail in the
 * mail viewer. Then SMOKE_READS cart reads through the gateway, for the replica count smoke.sh
 * takes from each cart-api. Prints one line per step with its latency; exits 1 on the first failure.
 *   GATEWAY_URL (http://127.0.0.1:18080), MAIL_VIEWER_URL (http://127.0.0.1:18025)
 */
import { randomUUID } from 'node:crypto'
import type { Cart, Order } from '@bookstore/events'
import {
  createRealtimeClient,
  type RealtimeClient,
  type WebSocketConstructor,
} from '@bookstore/realtime-client'
import WebSocket from 'ws'

const gatewayUrl = process.env.GATEWAY_URL ?? 'http://127.0.0.1:18080'
const mailViewerUrl = process.env.MAIL_VIEWER_URL ?? 'http://127.0.0.1:18025'
const socketCount = Number(process.env.SMOKE_SOCKETS ?? 4)
const readCount = Number(process.env.SMOKE_READS ?? 30)
const stepTimeoutMs = Number(process.env.SMOKE_STEP_TIMEOUT_MS ?? 30_000)

class SmokeFailure extends Error {
  override name = 'SmokeFailure'
}

const figures: Record<string, number> = {}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Runs one step, prints its duration and keeps it as a figure. */
async function step<T>(name: string, run: () => Promise<T>): Promise<T> {
  const startedAt = performance.now()
  const result = await run()
  const ms = Math.round(performance.now() - startedAt)
  figures[name] = ms
  console.log(`  ok  ${name.padEnd(34)} ${String(ms).padStart(6)} ms`)
  return result
}

/** Polls until `probe` gives a value, or fails the step after stepTimeoutMs. */
async function until<T>(what: string, probe: () => Promise<T | undefined>, everyMs = 50): Promise<T> {
  const deadline = Date.now() + stepTimeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new SmokeFailure(`${what}: not within ${stepTimeoutMs} ms`)
    await sleep(everyMs)
  }
}

async function call<T>(method: string, path: string, expected: number[], options: RequestInit = {}) {
  const response = await fetch(`${gatewayUrl}${path}`, { method, ...options })
  const text = await response.text()
  if (!expected.includes(response.status))
    throw new SmokeFailure(`${method} ${path}: ${response.status} ${text.slice(0, 300)}`)
  return (text ? JSON.parse(text) : undefined) as T
}

const json = (body: unknown, headers: Record<string, string> = {}) => ({
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
})

async function main() {
  const runId = randomUUID().slice(0, 8)
  const email = `smoke-${runId}@example.com`
  const password = `smoke-${randomUUID()}`
  console.log(`smoke flow against ${gatewayUrl} as ${email}`)

  const book = await step('catalog: a book in stock', async () => {
    const page = await call<{ items: { id: string; stock: number; title: string }[] }>(
      'GET',
      '/api/books',
      [200],
    )
    const found = page.items.find((candidate) => candidate.stock > 0)
    if (!found) throw new SmokeFailure('the catalog has no book in stock (SEED_CATALOG=true seeds one)')
    return found
  })
  await step('register', () => call('POST', '/api/auth/register', [201], json({ email, password })))
  const session = await step('log in', () =>
    call<{ accessToken: string }>('POST', '/api/auth/login', [200], json({ email, password })),
  )
  const authorization = `Bearer ${session.accessToken}`

  // Every cart a socket received, with when (performance.now()).
  const sockets: { client: RealtimeClient; carts: { cart: Cart; at: number }[] }[] = []
  await step(`open ${socketCount} live-cart sockets`, async () => {
    for (let index = 0; index < socketCount; index++) {
      const carts: { cart: Cart; at: number }[] = []
      const client = createRealtimeClient({
        url: `${gatewayUrl.replace(/^http/, 'ws')}/ws`,
        token: session.accessToken,
        WebSocket: WebSocket as unknown as WebSocketConstructor,
        reconnect: false,
        onCart: (cart) => carts.push({ cart, at: performance.now() }),
      })
      sockets.push({ client, carts })
    }
    await Promise.race([
      Promise.all(sockets.map((socket) => socket.client.ready())),
      sleep(stepTimeoutMs).then(() => {
        throw new SmokeFailure('the sockets did not get their snapshot in time')
      }),
    ])
  })

  const addedAt = performance.now()
  const cart = await step('add to cart', () =>
    call<Cart>('POST', '/api/cart/items', [200, 201], {
      ...json({ bookId: book.id, quantity: 1 }, { authorization, 'idempotency-key': `smoke-${runId}-add` }),
    }),
  )
  // From sending the add to the moment the last socket had the new version (often before the
  // HTTP answer arrived).
  const arrivals = await until('the added book on every socket', async () => {
    const seen = sockets.map(({ carts }) => carts.find((entry) => entry.cart.version >= cart.version)?.at)
    return seen.every((at) => at !== undefined) ? (seen as number[]) : undefined
  })
  figures['add to the change on every socket'] = Math.round(Math.max(...arrivals) - addedAt)
  console.log(
    `  ok  ${'the change on every socket'.padEnd(34)} ${String(figures['add to the change on every socket']).padStart(6)} ms after the add was sent`,
  )

  const order = await step('checkout', () =>
    call<Order>('POST', '/api/checkout', [202], {
      ...json({ cartVersion: cart.version }, { authorization, 'idempotency-key': `smoke-${runId}-checkout` }),
    }),
  )
  const checkedOutAt = performance.now()
  await step('order confirmed', () =>
    until(
      'the order confirmed',
      async () => {
        const now = await call<Order>('GET', `/api/orders/${order.id}`, [200], { headers: { authorization } })
        if (now.status === 'cancelled') throw new SmokeFailure(`order ${order.id} was cancelled`)
        return now.status === 'confirmed' ? now : undefined
      },
      100,
    ),
  )
  await step('confirmation e-mail in the viewer', () =>
    until(
      'the e-mail to the shopper',
      async () => {
        const response = await fetch(`${mailViewerUrl}/api/messages`)
        const list = (await response.json()) as { messages: { to: string[]; subject: string }[] }
        return list.messages.find((message) => message.to.includes(email))
      },
      200,
    ),
  ).then((message) => console.log(`      e-mail: ${JSON.stringify(message.subject)}`))
  figures['checkout to e-mail'] = Math.round(performance.now() - checkedOutAt)

  await step(`${readCount} cart reads`, async () => {
    for (let index = 0; index < readCount; index++)
      await call('GET', '/api/cart', [200], { headers: { authorization } })
  })
  for (const { client } of sockets) client.close()
  console.log(`SMOKE_FIGURES ${JSON.stringify(figures)}`)
}

main().then(
  // Kept-alive connections would hold the process open a while longer.
  () => process.exit(0),
  (error: unknown) => {
    console.error(`  FAIL ${error instanceof Error ? error.message : String(error)}`)
    process.exit(1)
  },
)
