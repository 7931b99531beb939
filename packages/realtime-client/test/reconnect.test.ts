import { once } from 'node:events'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket, WebSocketServer } from 'ws'
import { type ClientStatus, createRealtimeClient, type WebSocketConstructor } from '../src'

const servers: WebSocketServer[] = []
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve))
})

/** A stand-in gateway on a free port: says up-to-date to every hello, and drops the first socket. */
async function flakyGateway() {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => 'bookstore.v1' })
  servers.push(server)
  await once(server, 'listening')
  let connections = 0
  server.on('connection', (socket) => {
    connections++
    const first = connections === 1
    socket.on('message', () => {
      socket.send(JSON.stringify({ type: 'up-to-date', version: 0 }))
      if (first) setTimeout(() => socket.close(1001, 'going away'), 10)
    })
  })
  const address = server.address()
  if (typeof address !== 'object' || !address) throw new Error('no address')
  return { url: `ws://127.0.0.1:${address.port}/ws`, connections: () => connections }
}

function connect(url: string, options: { reconnect?: false } = {}) {
  const statuses: ClientStatus[] = []
  const client = createRealtimeClient({
    url,
    token: 'token',
    WebSocket: WebSocket as unknown as WebSocketConstructor,
    ...options,
    onStatus: (status) => statuses.push(status),
  })
  return { client, statuses }
}

describe('realtime client reconnects', () => {
  it('by default, after the server closes the socket', async () => {
    const gateway = await flakyGateway()
    const { client, statuses } = connect(gateway.url)
    try {
      await expect.poll(() => gateway.connections(), { timeout: 5_000 }).toBe(2)
      await expect.poll(() => statuses.at(-1)).toBe('live')
      expect(statuses).toEqual(['connecting', 'live', 'reconnecting', 'reconnecting', 'live'])
    } finally {
      client.close()
    }
  })

  it('not at all with reconnect: false', async () => {
    const gateway = await flakyGateway()
    const { client, statuses } = connect(gateway.url, { reconnect: false })
    await expect.poll(() => statuses.at(-1)).toBe('closed')
    expect(gateway.connections()).toBe(1)
    client.close()
  })
})
