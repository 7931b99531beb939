import { connect, createServer, type Server, type Socket } from 'node:net'
import { freePort } from '@bookstore/test-kit'

/**
 * A TCP proxy in front of a real server, that a test cuts (every connection dropped, new ones
 * refused) and restores on the same port: "the network to PostgreSQL / the queue is gone".
 */
export async function startTcpProxy(targetHost: string, targetPort: number) {
  const port = await freePort()
  const sockets = new Set<Socket>()
  let server: Server | undefined

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const next = createServer((client) => {
        const upstream = connect(targetPort, targetHost)
        for (const socket of [client, upstream]) {
          sockets.add(socket)
          socket.on('close', () => sockets.delete(socket))
          socket.on('error', () => {})
        }
        client.pipe(upstream).pipe(client)
        client.on('close', () => upstream.destroy())
        upstream.on('close', () => client.destroy())
      })
      next.once('error', reject)
      next.listen(port, '127.0.0.1', () => {
        server = next
        resolve()
      })
    })

  const cut = async () => {
    const closing = server
    server = undefined
    for (const socket of sockets) socket.destroy()
    if (closing) await new Promise<void>((resolve) => closing.close(() => resolve()))
  }

  await listen()
  return {
    port,
    /** Drops every connection and refuses new ones. */
    cut,
    /** Accepts connections again, on the same port. */
    restore: listen,
    close: cut,
  }
}
export type TcpProxy = Awaited<ReturnType<typeof startTcpProxy>>

/** The same URL through the proxy (host and port replaced). */
export function viaProxy(url: string, proxy: TcpProxy): string {
  const parsed = new URL(url)
  parsed.hostname = '127.0.0.1'
  parsed.port = String(proxy.port)
  return parsed.toString()
}
