import { cartKeys } from '@bookstore/events'
import {
  createRealtimeClient,
  type RealtimeClientOptions,
  type WebSocketConstructor,
} from '@bookstore/realtime-client'
import { type Env, masterNodesOf, startStack, uniqueId } from '@bookstore/test-kit'
import type { Cluster, Redis } from 'ioredis'
import { WebSocket } from 'ws'

export { waitFor } from '@bookstore/test-kit'

/**
 * Gateways and cart-apis on real ports of one test stack (one signing key, the test Redis or
 * `redisUrl`), as separate instances would run in production (they talk only through Redis).
 */
export async function startSystem(
  options: { gateways?: number; cartApis?: number; env?: Env; redisUrl?: string } = {},
) {
  const stack = await startStack({
    redis: options.redisUrl ? { url: options.redisUrl } : 'shared',
    appEnv: {
      'realtime-gateway': { ALLOWED_ORIGINS: 'https://shop.example', ...options.env },
      // Thousands of changes of one cart (slow consumers, ordering): far over the shopper limit.
      'cart-api': { CART_MUTATIONS_PER_WINDOW: '0' },
    },
  })
  const instances = (name: 'realtime-gateway' | 'cart-api', count = 1) =>
    Promise.all(Array.from({ length: count }, () => stack.start(name)))
  const gateways = (await instances('realtime-gateway', options.gateways)).map(({ app, url }) => ({
    app,
    port: Number(new URL(url).port),
    url: `${url.replace('http:', 'ws:')}/ws`,
  }))
  const cartApis = await instances('cart-api', options.cartApis)
  const clients: Array<{ close: () => void }> = []
  const sockets: WebSocket[] = []

  return {
    ...stack,
    gateways,
    cartApis,
    /** A change through cart-api number `api` over HTTP; returns the cart it answered. */
    async addItem(api: number, token: string, bookId: string, quantity = 1) {
      const response = await fetch(`${cartApis[api]?.url}/cart/items`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ bookId, quantity }),
      })
      if (response.status !== 200)
        throw new Error(`add-item answered ${response.status}: ${await response.text()}`)
      return (await response.json()) as { version: number }
    },
    async setQuantity(api: number, token: string, bookId: string, quantity: number) {
      const response = await fetch(`${cartApis[api]?.url}/cart/items/${bookId}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ quantity }),
      })
      if (response.status !== 200) throw new Error(`set-quantity answered ${response.status}`)
      return (await response.json()) as { version: number }
    },
    /** A realtime client (the package's) on gateway `gateway`, recording every server message. */
    client(gateway: number, token: string, extra: Partial<RealtimeClientOptions> = {}) {
      const messages: Array<{ type: string; version: number; outcome: string }> = []
      const client = createRealtimeClient({
        url: gateways[gateway]?.url ?? '',
        token,
        WebSocket: WebSocket as unknown as WebSocketConstructor,
        reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
        onMessage: (message, outcome) =>
          messages.push({ type: message.type, version: message.version, outcome }),
        ...extra,
      })
      clients.push(client)
      return { client, messages, events: () => messages.filter((m) => m.type === 'cart.changed') }
    },
    /** A bare ws socket (for refusals and for a client that stops reading). */
    socket(
      gateway: number,
      options: { protocols?: string[]; headers?: Record<string, string>; origin?: string },
    ) {
      const ws = new WebSocket(gateways[gateway]?.url ?? '', options.protocols ?? [], {
        headers: options.headers,
        origin: options.origin,
      })
      ws.on('error', () => {})
      sockets.push(ws)
      return ws
    },
    /** Clients and sockets first: a gateway closing under them would wait for their answers. */
    async close() {
      for (const client of clients) client.close()
      for (const ws of sockets) ws.terminate()
      await stack.close()
    },
  }
}
export type TestSystem = Awaited<ReturnType<typeof startSystem>>

/** How an upgrade was refused: the HTTP status and the error code of the body. */
export function refusal(ws: WebSocket): Promise<{ status: number; code: string | undefined }> {
  return new Promise((resolve, reject) => {
    ws.once('open', () => reject(new Error('the socket opened')))
    ws.once('unexpected-response', (_request, response) => {
      let body = ''
      response.on('data', (chunk: Buffer) => {
        body += chunk.toString()
      })
      response.on('end', () => {
        const parsed = body ? (JSON.parse(body) as { error?: { code?: string } }) : {}
        resolve({ status: response.statusCode ?? 0, code: parsed.error?.code })
      })
    })
  })
}

/** Subscribers of the user's sharded channel (on a Cluster: summed over the masters, one owns it). */
export const channelSubscribers = async (redis: Redis | Cluster, userId: string) => {
  const counts = await Promise.all(
    masterNodesOf(redis).map(async (node) => {
      const [, count] = (await node.call('PUBSUB', 'SHARDNUMSUB', cartKeys(userId).events)) as [
        string,
        number,
      ]
      return Number(count)
    }),
  )
  return counts.reduce((sum, count) => sum + count, 0)
}

export const newUser = () => uniqueId('user')
