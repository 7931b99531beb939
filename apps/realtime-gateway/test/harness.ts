import type { AddressInfo } from 'node:net'
import { buildCartApi, loadCartApiConfig } from '@bookstore/cart-api'
import { cartKeys } from '@bookstore/events'
import {
  createRealtimeClient,
  type RealtimeClientOptions,
  type WebSocketConstructor,
} from '@bookstore/realtime-client'
import {
  generateTestKeys,
  seedBook,
  signTestToken,
  type TestKeys,
  type TokenOptions,
  uniqueId,
} from '@bookstore/test-kit'
import type { FastifyInstance } from 'fastify'
import { Redis } from 'ioredis'
import { WebSocket } from 'ws'
import { buildRealtimeGateway, loadRealtimeGatewayConfig } from '../src'

export const redisUrl = () => process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

const listen = async (app: FastifyInstance) => {
  await app.listen({ host: '127.0.0.1', port: 0 })
  return (app.server.address() as AddressInfo).port
}

export { waitFor } from '@bookstore/test-kit'

/**
 * Gateways and cart-apis on real ports, sharing one signing key and the test Redis, as separate
 * instances would in production (they talk only through Redis).
 */
export async function startSystem(
  options: { gateways?: number; cartApis?: number; env?: Record<string, string>; redisUrl?: string } = {},
) {
  const keys: TestKeys = generateTestKeys()
  const url = options.redisUrl ?? redisUrl()
  const queuePrefix = uniqueId('test-bull')
  const gateways = await Promise.all(
    Array.from({ length: options.gateways ?? 1 }, async () => {
      const config = loadRealtimeGatewayConfig({
        REDIS_URL: url,
        JWT_PUBLIC_KEY: keys.publicKeyPem,
        LOG_LEVEL: 'silent',
        ALLOWED_ORIGINS: 'https://shop.example',
        ...options.env,
      })
      const app = await buildRealtimeGateway(config)
      const port = await listen(app)
      return { app, port, url: `ws://127.0.0.1:${port}/ws` }
    }),
  )
  const cartApis = await Promise.all(
    Array.from({ length: options.cartApis ?? 1 }, async () => {
      const app = await buildCartApi(
        loadCartApiConfig({
          REDIS_URL: url,
          JWT_PUBLIC_KEY: keys.publicKeyPem,
          LOG_LEVEL: 'silent',
          QUEUE_PREFIX: queuePrefix,
        }),
      )
      const port = await listen(app)
      return { app, url: `http://127.0.0.1:${port}` }
    }),
  )
  const redis = new Redis(url)
  const clients: Array<{ close: () => void }> = []
  const sockets: WebSocket[] = []

  return {
    keys,
    redis,
    gateways,
    cartApis,
    token: (userId: string, tokenOptions?: TokenOptions) =>
      signTestToken(keys.privateKey, userId, tokenOptions),
    seedBook: (overrides?: Parameters<typeof seedBook>[1]) => seedBook(redis, overrides),
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
    async close() {
      for (const client of clients) client.close()
      for (const ws of sockets) ws.terminate()
      await Promise.all([...gateways, ...cartApis].map(({ app }) => app.close()))
      redis.disconnect()
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

export const channelSubscribers = async (redis: Redis, userId: string) => {
  const [, count] = (await redis.call('PUBSUB', 'SHARDNUMSUB', cartKeys(userId).events)) as [string, number]
  return Number(count)
}

export const newUser = () => uniqueId('user')
