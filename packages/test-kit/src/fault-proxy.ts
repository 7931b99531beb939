import { connect, createServer, type Server, type Socket } from 'node:net'
import { freePort } from './private-redis'

/**
 * One direction of a proxied connection: chunks are written in the order they came, each no sooner
 * than the latency set when it arrived, and not at all while the proxy is a blackhole.
 */
class Lane {
  readonly #queue: { chunk: Buffer; dueAt: number }[] = []
  #timer: NodeJS.Timeout | undefined

  constructor(
    private readonly to: Socket,
    private readonly faults: { latencyMs: number; blackholed: boolean },
  ) {}

  push(chunk: Buffer): void {
    this.#queue.push({ chunk, dueAt: Date.now() + this.faults.latencyMs })
    this.pump()
  }

  pump(): void {
    if (this.#timer) return
    while (!this.faults.blackholed && !this.to.destroyed) {
      const head = this.#queue[0]
      if (!head) return
      const wait = head.dueAt - Date.now()
      if (wait > 0) {
        this.#timer = setTimeout(() => {
          this.#timer = undefined
          this.pump()
        }, wait)
        return
      }
      this.#queue.shift()
      this.to.write(head.chunk)
    }
  }

  stop(): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
    this.#queue.length = 0
  }
}

interface Link {
  sockets: [Socket, Socket]
  lanes: [Lane, Lane]
}

/**
 * A TCP proxy in front of a real server (Redis, PostgreSQL) that a test breaks on demand, the way a
 * network breaks: `latency(ms)` delays every chunk both ways; `blackhole()` lets nothing through
 * while every connection stays open (a client sees a stall, and what it sent arrives once the
 * proxy is restored, as TCP retransmits it); `reset()` ends every open connection with a TCP reset;
 * `cut()` also closes the port, so new connections are refused. `restore()` undoes all of it.
 */
export async function startFaultProxy(targetHost: string, targetPort: number) {
  const port = await freePort()
  const faults = { latencyMs: 0, blackholed: false }
  const links = new Set<Link>()
  let server: Server | undefined

  const forget = (link: Link) => {
    if (!links.delete(link)) return
    for (const lane of link.lanes) lane.stop()
    for (const socket of link.sockets) socket.destroy()
  }

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const next = createServer((client) => {
        const upstream = connect(targetPort, targetHost)
        const link: Link = {
          sockets: [client, upstream],
          lanes: [new Lane(upstream, faults), new Lane(client, faults)],
        }
        links.add(link)
        client.on('data', (chunk: Buffer) => link.lanes[0].push(chunk))
        upstream.on('data', (chunk: Buffer) => link.lanes[1].push(chunk))
        for (const socket of link.sockets) {
          socket.on('error', () => {})
          socket.on('close', () => forget(link))
        }
      })
      next.once('error', reject)
      next.listen(port, '127.0.0.1', () => {
        server = next
        resolve()
      })
    })

  const dropAll = (how: 'destroy' | 'reset') => {
    for (const link of [...links]) {
      if (how === 'reset') for (const socket of link.sockets) socket.resetAndDestroy()
      forget(link)
    }
  }

  const cut = async () => {
    const closing = server
    server = undefined
    dropAll('destroy')
    if (closing) await new Promise<void>((resolve) => closing.close(() => resolve()))
  }

  const restore = async () => {
    faults.latencyMs = 0
    faults.blackholed = false
    for (const link of links) for (const lane of link.lanes) lane.pump()
    if (!server) await listen()
  }

  await listen()
  return {
    port,
    /** Every chunk, both ways, reaches the other side this much later (0: at once). */
    latency(ms: number) {
      faults.latencyMs = ms
    },
    /** Nothing passes, both ways, until `restore()`; connections stay open and new ones are accepted. */
    blackhole() {
      faults.blackholed = true
    },
    /** Ends every open connection with a TCP reset (RST); new connections are accepted. */
    reset() {
      dropAll('reset')
    },
    /** Drops every connection and refuses new ones (the port is closed). */
    cut,
    /** No latency, no blackhole (what it held goes on), and connections accepted again on the same port. */
    restore,
    /** A blackhole for `ms`, then restored: a stalled network. */
    async stall(ms: number) {
      faults.blackholed = true
      await new Promise((resolve) => setTimeout(resolve, ms))
      await restore()
    },
    close: cut,
  }
}
export type FaultProxy = Awaited<ReturnType<typeof startFaultProxy>>

/** The same URL through the proxy (host and port replaced). */
export function viaProxy(url: string, proxy: Pick<FaultProxy, 'port'>): string {
  const parsed = new URL(url)
  parsed.hostname = '127.0.0.1'
  parsed.port = String(proxy.port)
  return parsed.toString()
}
