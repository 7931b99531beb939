import type { Socket } from 'node:net'
import { BEARER_PROTOCOL_PREFIX, REALTIME_PROTOCOL, RealtimeCloseCode } from '@bookstore/events'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { WebSocket } from 'ws'
import { newUser, startSystem, type TestSystem, waitFor } from './harness'

let system: TestSystem
let pinging: TestSystem
beforeAll(async () => {
  system = await startSystem({ env: { MAX_BUFFERED_BYTES: String(64 * 1024) } })
  // Pings every 200 ms: a paused socket is dead within a few rounds (and could not be a slow consumer).
  pinging = await startSystem({ env: { HEARTBEAT_INTERVAL_MS: '200' } })
})
afterAll(async () => {
  await system.close()
  await pinging.close()
})

/** The TCP socket under a ws client: pausing it is a client that stops reading. */
const tcpOf = (ws: WebSocket) => (ws as unknown as { _socket: Socket })._socket
const metric = async (name: string, of: TestSystem = system) => {
  const text = await (await fetch(`http://127.0.0.1:${of.gateways[0]?.port}/metrics`)).text()
  return Number(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN)
}
const opened = (ws: WebSocket) => new Promise((resolve) => ws.once('open', resolve))

describe('slow consumers, dead sockets and expired tokens (RT4)', () => {
  it('cuts a socket that stops reading at the buffer bound (4008) while the others keep receiving', async () => {
    const user = newUser()
    const token = await system.token(user)
    // Long titles make each event carry ~25 KB, so the kernel buffers fill after a few hundred changes.
    const books = await Promise.all(
      Array.from({ length: 50 }, (_, i) => system.seedBook({ title: `${'A long title '.repeat(35)}${i}` })),
    )
    const healthy = system.client(0, token)
    await healthy.client.ready()
    const slow = system.socket(0, { protocols: [REALTIME_PROTOCOL, `${BEARER_PROTOCOL_PREFIX}${token}`] })
    await opened(slow)
    const slowClosed = new Promise<number>((resolve) => slow.once('close', (code) => resolve(code)))
    for (const book of books) await system.addItem(0, token, book.bookId)
    tcpOf(slow).pause()

    const before = await metric('realtime_slow_consumers_dropped_total')
    let version = 0
    for (let change = 0; change < 3000; change++) {
      version = (await system.setQuantity(0, token, books[0]!.bookId, (change % 9) + 1)).version
      if (change % 20 === 0 && (await metric('realtime_slow_consumers_dropped_total')) > before) break
    }
    await waitFor(async () => (await metric('realtime_slow_consumers_dropped_total')) > before, 'the cut')
    // The healthy socket goes on receiving every change, in order.
    for (let i = 0; i < 3; i++) version = (await system.addItem(0, token, books[1]!.bookId)).version
    await waitFor(() => healthy.client.version === version, 'the healthy socket to catch up')
    const versions = healthy.events().map((event) => event.version)
    expect(versions).toEqual(Array.from({ length: version }, (_, i) => i + 1))

    // Once it reads again, the slow client finds the close code after what was buffered.
    tcpOf(slow).resume()
    expect(await slowClosed).toBe(RealtimeCloseCode.slowConsumer)
  }, 60_000)

  it('drops a socket that does not answer pings', async () => {
    const token = await pinging.token(newUser())
    const before = await metric('realtime_dead_sockets_dropped_total', pinging)
    const silent = pinging.socket(0, { protocols: [REALTIME_PROTOCOL, `${BEARER_PROTOCOL_PREFIX}${token}`] })
    await opened(silent)
    // A paused socket reads no ping, so it answers none: like a device that vanished.
    tcpOf(silent).pause()
    await waitFor(
      async () => (await metric('realtime_dead_sockets_dropped_total', pinging)) > before,
      'the dead socket to go',
    )
  })

  it('closes a socket whose access token expired with 4401', async () => {
    const token = await pinging.token(newUser(), { expiresIn: 3 })
    const ws = pinging.socket(0, { protocols: [REALTIME_PROTOCOL, `${BEARER_PROTOCOL_PREFIX}${token}`] })
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)))
    await opened(ws)
    expect(await closed).toBe(RealtimeCloseCode.tokenExpired)
  })
})
