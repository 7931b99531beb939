import { BEARER_PROTOCOL_PREFIX, REALTIME_PROTOCOL } from '@bookstore/events'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RawData, WebSocket } from 'ws'
import { newUser, startSystem, type TestSystem, waitFor } from './harness'

let system: TestSystem
beforeAll(async () => {
  system = await startSystem({ cartApis: 1, env: { MAX_HELLOS_PER_MINUTE: '5' } })
})
afterAll(() => system.close())

const metric = async (name: string) => {
  const text = await (await fetch(`http://127.0.0.1:${system.gateways[0]?.port}/metrics`)).text()
  return Number(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN)
}
const opened = (ws: WebSocket) => new Promise((resolve) => ws.once('open', resolve))

// Issue 18: every hello costs a Redis read; a client in a loop gets a bounded number of answers
// per socket and minute, and its socket keeps working for the changes themselves.
describe('hello rate per socket', () => {
  it('answers MAX_HELLOS_PER_MINUTE hellos, ignores the rest, and still delivers changes', async () => {
    const token = await system.token(newUser())
    const book = await system.seedBook()
    const ws = system.socket(0, { protocols: [REALTIME_PROTOCOL, `${BEARER_PROTOCOL_PREFIX}${token}`] })
    const received: { type: string; version: number }[] = []
    ws.on('message', (data: RawData) => received.push(JSON.parse(data.toString())))
    await opened(ws)
    const before = await metric('realtime_hellos_ignored_total')
    for (let hello = 0; hello < 12; hello += 1) ws.send(JSON.stringify({ type: 'hello', lastVersion: null }))
    await waitFor(
      async () => (await metric('realtime_hellos_ignored_total')) - before === 7,
      '7 hellos ignored',
    )
    // The ignored ones are counted at once; the answered ones come after a Redis read each.
    await waitFor(() => received.filter((message) => message.type === 'snapshot').length === 5, '5 snapshots')

    await system.addItem(0, token, book.bookId)
    await waitFor(() => received.some((message) => message.type === 'cart.changed'), 'the change')
    expect(received.filter((message) => message.type === 'snapshot')).toHaveLength(5)
    expect(ws.readyState).toBe(ws.OPEN)
  })
})
