import type { IncomingMessage } from 'node:http'
import { BEARER_PROTOCOL_PREFIX, REALTIME_PROTOCOL, RealtimeCloseCode } from '@bookstore/events'
import { metricValue, waitFor } from '@bookstore/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { type GatewayStack, startGatewayStack } from './harness'

interface Tab {
  ws: WebSocket
  versions: number[]
  snapshot: Promise<void>
}

const wsUrl = (gatewayUrl: string) => `${gatewayUrl.replace('http:', 'ws:')}/ws`

function openTab(gatewayUrl: string, token: string): Promise<Tab> {
  const ws = new WebSocket(wsUrl(gatewayUrl), [REALTIME_PROTOCOL, `${BEARER_PROTOCOL_PREFIX}${token}`])
  const versions: number[] = []
  let gotSnapshot: () => void = () => {}
  const snapshot = new Promise<void>((resolve) => {
    gotSnapshot = resolve
  })
  ws.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString()) as { type: string; version: number }
    if (message.type === 'cart.changed') versions.push(message.version)
    else gotSnapshot()
  })
  return new Promise((resolve, reject) => {
    ws.once('error', reject)
    ws.once('open', () => {
      ws.send(JSON.stringify({ type: 'hello', lastVersion: null }))
      resolve({ ws, versions, snapshot })
    })
  })
}

/** The HTTP answer to a refused handshake, as the client sees it. */
function refusedHandshake(url: string, protocols: string[], headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: unknown }>((resolve, reject) => {
    const ws = new WebSocket(url, protocols, { headers })
    ws.once('open', () => reject(new Error('the handshake was accepted')))
    ws.once('unexpected-response', (_request, response: IncomingMessage) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('end', () => {
        resolve({ status: response.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) })
        ws.terminate()
      })
    })
    ws.once('error', () => {})
  })
}

describe('/ws through the gateway', () => {
  let stack: GatewayStack
  const tabs: Tab[] = []

  beforeAll(async () => {
    stack = await startGatewayStack({
      apps: ['cart-api', 'realtime-gateway', 'realtime-gateway'],
      appEnv: { 'realtime-gateway': { ALLOWED_ORIGINS: 'https://shop.example' } },
      gateways: 2,
    })
  })
  afterAll(async () => {
    for (const tab of tabs) tab.ws.terminate()
    await stack.close()
  })

  it('delivers every change in order to every socket, from two gateways in front of two realtime-gateways', async () => {
    const { userId } = await stack.shopper()
    const token = await stack.token(userId)
    const book = await stack.seedBook({ stock: 1000 })
    for (const gateway of stack.gateways)
      for (let index = 0; index < 3; index++) tabs.push(await openTab(gateway.url, token))
    await Promise.all(tabs.map((tab) => tab.snapshot))
    // The token travelled in the subprotocol alone, and the one realtime-gateway chose came back.
    expect(tabs.every((tab) => tab.ws.protocol === REALTIME_PROTOCOL)).toBe(true)
    // Sockets were balanced: both realtime-gateways hold some.
    for (const realtime of stack.running('realtime-gateway')) {
      if (realtime.kind !== 'in-process') continue
      expect(await metricValue(realtime.app, 'realtime_sockets')).toBeGreaterThan(0)
    }

    const changes = 25
    for (let index = 0; index < changes; index++) {
      const response = await fetch(`${stack.gateways[index % 2]?.url}/api/cart/items`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'idempotency-key': `k-${index}`,
        },
        body: JSON.stringify({ bookId: book.bookId, quantity: 1 }),
      })
      expect(response.status).toBe(200)
    }
    const expected = Array.from({ length: changes }, (_, index) => index + 1)
    await waitFor(() => tabs.every((tab) => tab.versions.length >= changes), 'every change on every socket')
    for (const tab of tabs) expect(tab.versions).toEqual(expected)
  })

  it("keeps realtime-gateway's close codes and reasons", async () => {
    const { userId } = await stack.shopper()
    const tab = await openTab(stack.url, await stack.token(userId))
    await tab.snapshot
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      tab.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    )
    tab.ws.send('not json at all')
    expect(await closed).toEqual({
      code: RealtimeCloseCode.badMessage,
      reason: 'not a message of bookstore.v1',
    })
  })

  it("passes realtime-gateway's refusals of a handshake through with their status and error body", async () => {
    const { userId } = await stack.shopper()
    const token = await stack.token(userId)
    expect(
      await refusedHandshake(wsUrl(stack.url), [REALTIME_PROTOCOL, `${BEARER_PROTOCOL_PREFIX}not-a-token`]),
    ).toMatchObject({
      status: 401,
      body: { error: { code: 'AUTH_TOKEN_INVALID' } },
    })
    // The browser's Origin reaches realtime-gateway unchanged, which refuses a foreign one.
    expect(
      await refusedHandshake(wsUrl(stack.url), [REALTIME_PROTOCOL, `${BEARER_PROTOCOL_PREFIX}${token}`], {
        origin: 'https://evil.example',
      }),
    ).toMatchObject({ status: 403 })
    const allowed = new WebSocket(
      wsUrl(stack.url),
      [REALTIME_PROTOCOL, `${BEARER_PROTOCOL_PREFIX}${token}`],
      {
        headers: { origin: 'https://shop.example' },
      },
    )
    await new Promise((resolve, reject) => {
      allowed.once('open', resolve)
      allowed.once('error', reject)
    })
    allowed.terminate()
  })

  it('answers 502 UPSTREAM_UNAVAILABLE when no realtime-gateway answers', async () => {
    const lonely = await stack.start('gateway', { env: { REALTIME_GATEWAY_URLS: 'http://127.0.0.1:1' } })
    const { userId } = await stack.shopper()
    expect(
      await refusedHandshake(wsUrl(lonely.url), [
        REALTIME_PROTOCOL,
        `${BEARER_PROTOCOL_PREFIX}${await stack.token(userId)}`,
      ]),
    ).toMatchObject({ status: 502, body: { error: { code: 'UPSTREAM_UNAVAILABLE' } } })
    await lonely.close()
  })
})
