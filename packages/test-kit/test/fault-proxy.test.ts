import { once } from 'node:events'
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type FaultProxy, startFaultProxy } from '../src'

// An echo server behind the proxy: what a client writes comes back through both directions.
let echo: Server
let proxy: FaultProxy
beforeAll(async () => {
  echo = createServer((socket) => socket.on('error', () => {}).pipe(socket))
  echo.listen(0, '127.0.0.1')
  await once(echo, 'listening')
  proxy = await startFaultProxy('127.0.0.1', (echo.address() as AddressInfo).port)
})
afterAll(async () => {
  await proxy.close()
  echo.close()
})

async function client() {
  const socket = connect(proxy.port, '127.0.0.1')
  await once(socket, 'connect')
  let received = ''
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString()
  })
  return { socket, received: () => received }
}

const until = async (check: () => boolean) => {
  while (!check()) await sleep(5)
}

const closed = (socket: Socket) =>
  new Promise<string>((resolve) => {
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message))
    socket.once('close', () => resolve('closed'))
  })

describe('the fault proxy', () => {
  it('passes bytes both ways, later by the latency set', async () => {
    const { socket, received } = await client()
    socket.write('ping')
    await until(() => received() === 'ping')
    proxy.latency(150)
    const sent = performance.now()
    socket.write('slow')
    await until(() => received() === 'pingslow')
    // Once on the way there and once back.
    expect(performance.now() - sent).toBeGreaterThanOrEqual(290)
    await proxy.restore()
    socket.destroy()
  })

  it('holds everything in a blackhole, keeping the connection, and lets it through once restored', async () => {
    const { socket, received } = await client()
    proxy.blackhole()
    socket.write('held')
    await sleep(200)
    expect(received()).toBe('')
    expect(socket.destroyed).toBe(false)
    await proxy.restore()
    await until(() => received() === 'held')
    socket.destroy()
  })

  it('resets open connections and still accepts new ones; a cut port refuses them until restored', async () => {
    const first = await client()
    const ended = closed(first.socket)
    proxy.reset()
    expect(await ended).toBe('ECONNRESET')
    const second = await client()
    second.socket.write('again')
    await until(() => second.received() === 'again')

    await proxy.cut()
    expect(await closed(connect(proxy.port, '127.0.0.1'))).toBe('ECONNREFUSED')
    await proxy.restore()
    const third = await client()
    third.socket.write('back')
    await until(() => third.received() === 'back')
    third.socket.destroy()
  })
})
