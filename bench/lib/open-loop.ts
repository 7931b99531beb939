/**
 * An open-loop load: requests are sent at a fixed rate whatever the server answers, as many
 * independent shoppers would (autocannon waits for an answer before a connection sends again, so
 * it can never offer more than the server serves). Each request's latency counts from when it was
 * due, so time spent queued behind busy connections is latency too.
 */
import { connect, type Socket } from 'node:net'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'

export interface OpenLoopRequest {
  method: 'POST' | 'PUT' | 'GET'
  path: string
  headers: Record<string, string>
  body?: string
}

/** What happened to one request; `at` is when it was due, in ms since the phase began. */
export interface Outcome {
  at: number
  latencyMs: number
  /** The HTTP status, or 'error' (refused, reset) or 'timeout' (no answer in time). */
  status: number | 'error' | 'timeout'
}

export interface Phase {
  label: string
  /** Requests per second offered. */
  rate: number
  durationSec: number
}

export interface OpenLoopOptions {
  url: string
  connections: number
  timeoutMs: number
  request: () => OpenLoopRequest
  /** Sent once on every connection before the phases (default GET /health/live; any answer will do). */
  warmUp?: OpenLoopRequest
}

export interface PhaseResult {
  outcomes: Outcome[]
  /** The most this generator fell behind its schedule (a loaded machine): large, the figures mean less. */
  sendLagMs: number
  /** The same, second by second of the phase. */
  sendLagBySecondMs: number[]
}

/**
 * One keep-alive HTTP/1.1 connection that sends a request and reads its answer at a time. Why not
 * undici: at twice cart-api's capacity on two cores the generator itself fell hundreds of ms
 * behind its schedule with undici (each request costs it several times what a bare socket write
 * and a status-line parse do), and that lag is counted as the server's latency. The servers here
 * answer with Content-Length, never chunked, so the parse needs nothing more. No timer per
 * request: runOpenLoop sweeps every connection for overdue answers a few times a second.
 */
/** A kept-alive connection idle this long is not used again (below the servers' 5 s). */
const STALE_AFTER_MS = 4000
/** Connections opened at once while warming up: well under Node's listen backlog (511). */
const CONNECT_BATCH = 128

/** A first-in, first-out queue that does not move its items on every shift. */
class Fifo<T> {
  private items: (T | undefined)[] = []
  private head = 0

  push(item: T): void {
    this.items.push(item)
  }

  shift(): T | undefined {
    const item = this.items[this.head]
    if (item === undefined) return undefined
    this.items[this.head] = undefined
    this.head += 1
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head)
      this.head = 0
    }
    return item
  }
}

/**
 * A phase's answers in typed arrays, one slot per request, made into Outcome objects only after
 * the phases: half a million objects kept through a run are what the generator's major GCs walk,
 * and a 60 ms pause of the generator sent the requests due meanwhile as one burst (seen as 503s
 * in the calm phase).
 */
class AnswerColumns {
  private readonly latencyMs: Float64Array
  /** The HTTP status; 0 unanswered, -1 error, -2 timeout. */
  private readonly status: Int16Array

  /** `size` requests sent `rate` a second: request `index` was due at index / rate. */
  constructor(
    private readonly size: number,
    private readonly rate: number,
  ) {
    this.latencyMs = new Float64Array(size)
    this.status = new Int16Array(size)
  }

  set(index: number, latencyMs: number, status: Outcome['status']): void {
    this.latencyMs[index] = latencyMs
    this.status[index] = status === 'error' ? -1 : status === 'timeout' ? -2 : status
  }

  /** In the order the answers came, as the generator used to push them. */
  toOutcomes(): Outcome[] {
    const outcomes: Outcome[] = []
    for (let index = 0; index < this.size; index += 1) {
      const code = this.status[index] ?? 0
      if (code === 0) continue
      outcomes.push({
        at: (index / this.rate) * 1000,
        latencyMs: this.latencyMs[index] ?? 0,
        status: code === -1 ? 'error' : code === -2 ? 'timeout' : code,
      })
    }
    const answeredAt = (outcome: Outcome) => outcome.at + outcome.latencyMs
    return outcomes.sort((a, b) => answeredAt(a) - answeredAt(b))
  }
}

class RawConnection {
  private socket: Socket
  private buffered: Buffer | undefined
  private current: ((status: Outcome['status']) => void) | undefined
  /** When the request under way was written (performance.now()). */
  sentAt = 0
  /** When the connection last became idle. */
  private idleSince = performance.now()

  constructor(
    private readonly target: { host: string; port: number },
    /** Called when an answer has ended the request under way (set once the connection is warm). */
    public onIdle: (connection: RawConnection) => void,
  ) {
    this.socket = this.open()
  }

  private open(): Socket {
    const socket = connect(this.target)
    socket.setNoDelay(true)
    // Only the current socket speaks for the request: one the server closed can still emit its
    // 'close' after send() has put a new socket in its place, and must not end that request.
    socket.on('data', (chunk: Buffer) => {
      if (socket === this.socket) this.read(chunk)
    })
    socket.on('error', () => {})
    socket.on('close', () => {
      if (socket === this.socket) this.finish('error')
    })
    return socket
  }

  /** Resolves once the connection is made (or failed: its first send then reports the error). */
  ready(): Promise<void> {
    if (!this.socket.connecting) return Promise.resolve()
    return new Promise((resolve) => {
      this.socket.once('connect', resolve)
      this.socket.once('close', resolve)
    })
  }

  send(bytes: Buffer, done: (status: Outcome['status']) => void): void {
    // Idle about as long as the servers keep a connection (Node's keepAliveTimeout, 5 s): the
    // server may be closing it now, and a request written into that close is lost. A new
    // connection instead, as undici and browsers do (its connect counts in the latency).
    if (performance.now() - this.idleSince > STALE_AFTER_MS) this.socket.destroy()
    if (this.socket.destroyed) this.socket = this.open()
    this.current = done
    this.buffered = undefined
    this.sentAt = performance.now()
    this.socket.write(bytes)
  }

  /** Gives up on an answer overdue at `now` (the connection is dropped: a late answer would be misread). */
  expire(now: number, timeoutMs: number): void {
    if (this.current === undefined || now - this.sentAt < timeoutMs) return
    this.finish('timeout')
    this.socket.destroy()
  }

  private read(chunk: Buffer): void {
    const buffered = this.buffered === undefined ? chunk : Buffer.concat([this.buffered, chunk])
    const headEnd = buffered.indexOf('\r\n\r\n')
    if (headEnd === -1) {
      this.buffered = buffered
      return
    }
    const head = buffered.toString('latin1', 0, headEnd)
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0)
    if (buffered.length < headEnd + 4 + length) {
      this.buffered = buffered
      return
    }
    this.buffered = undefined
    this.finish(Number(head.slice(9, 12)))
  }

  private finish(status: Outcome['status']): void {
    const done = this.current
    if (!done) return
    this.current = undefined
    this.idleSince = performance.now()
    done(status)
    // A closed connection is opened again by its next send.
    this.onIdle(this)
  }

  close(): void {
    this.socket.destroy()
  }
}

/** The bytes of one request (Host and Content-Length added), made once per request object. */
const serialized = new WeakMap<OpenLoopRequest, Buffer>()
function requestBytes(request: OpenLoopRequest, host: string): Buffer {
  const known = serialized.get(request)
  if (known) return known
  const bytes = serializeRequest(request, host)
  serialized.set(request, bytes)
  return bytes
}

function serializeRequest(request: OpenLoopRequest, host: string): Buffer {
  const body = request.body ?? ''
  let head = `${request.method} ${request.path} HTTP/1.1\r\nhost: ${host}\r\n`
  for (const [name, value] of Object.entries(request.headers)) head += `${name}: ${value}\r\n`
  head += `content-length: ${Buffer.byteLength(body)}\r\n\r\n`
  return Buffer.from(head + body)
}

/** Connections opened and warmed up (one answered request each), swept for overdue answers until closed. */
interface WarmConnections {
  connections: RawConnection[]
  close(): void
}

/**
 * Opened a batch at a time, each with one answered request, before the first request is due:
 * 1,024 connects at once overflow the server's accept backlog (511), and a connection the kernel
 * dropped the handshake of only gets through on a retransmit, seconds later, in some phase.
 */
async function openWarmConnections(
  options: Pick<OpenLoopOptions, 'url' | 'connections' | 'timeoutMs' | 'warmUp'>,
  onIdle: (connection: RawConnection) => void,
): Promise<WarmConnections> {
  const url = new URL(options.url)
  const target = { host: url.hostname, port: Number(url.port) }
  const connections: RawConnection[] = []
  const warmUp = requestBytes(
    options.warmUp ?? { method: 'GET', path: '/health/live', headers: {} },
    url.host,
  )
  // Overdue answers are swept from the start: a warm-up that is never answered times out too.
  const sweep = setInterval(() => {
    const now = performance.now()
    for (const connection of connections) connection.expire(now, options.timeoutMs)
  }, 100)
  const close = () => {
    clearInterval(sweep)
    for (const connection of connections) connection.close()
  }
  try {
    while (connections.length < options.connections) {
      const batch = Array.from(
        { length: Math.min(CONNECT_BATCH, options.connections - connections.length) },
        () => new RawConnection(target, () => {}),
      )
      // In the swept list before its warm-up is sent.
      connections.push(...batch)
      await Promise.all(batch.map((connection) => connection.ready()))
      await Promise.all(
        batch.map((connection) => new Promise((answered) => connection.send(warmUp, answered))),
      )
      for (const connection of batch) connection.onIdle = onIdle
    }
  } catch (error) {
    close()
    throw error
  }
  return { connections, close }
}

/** Runs the phases back to back on one set of connections; returns each phase's outcomes, all answered or timed out. */
export async function runOpenLoop(
  options: OpenLoopOptions,
  phases: readonly Phase[],
): Promise<PhaseResult[]> {
  const host = new URL(options.url).host
  // Requests due while every connection is busy wait here, in the order they were due.
  const waiting = new Fifo<{ bytes: Buffer; done: (status: Outcome['status']) => void }>()
  // Idle connections are taken first in, first out: every connection stays in use at about the
  // same pace, as each of many shoppers' would. Last in, first out left most of them idle past the
  // servers' keep-alive, to be reopened all at once when the answers slowed (a connect storm whose
  // dropped SYNs came back 1, 3 and 7 s later as latency).
  const idle = new Fifo<RawConnection>()
  const onIdle = (connection: RawConnection) => {
    const next = waiting.shift()
    if (next === undefined) {
      idle.push(connection)
      return
    }
    connection.send(next.bytes, next.done)
  }
  const warm = await openWarmConnections(options, onIdle)
  for (const connection of warm.connections) idle.push(connection)
  const submit = (bytes: Buffer, done: (status: Outcome['status']) => void) => {
    const connection = idle.shift()
    if (connection) connection.send(bytes, done)
    else waiting.push({ bytes, done })
  }

  // Callbacks, not a promise per request: at 10,000 requests a second the generator's own
  // allocations were a large part of what it measured (its GC pauses counted as latency).
  let unanswered = 0
  const results: AnswerColumns[] = []
  const lags: { max: number; bySecond: number[] }[] = []
  try {
    for (const phase of phases) {
      const started = performance.now()
      const total = Math.round(phase.rate * phase.durationSec)
      const answers = new AnswerColumns(total, phase.rate)
      results.push(answers)
      let sent = 0
      let sendLagMs = 0
      const bySecond: number[] = []
      while (sent < total) {
        const elapsed = performance.now() - started
        // How far behind its schedule this generator runs: its own lag is no server's latency.
        const lag = elapsed - ((sent + 1) / phase.rate) * 1000
        sendLagMs = Math.max(sendLagMs, lag)
        const second = Math.floor(elapsed / 1000)
        bySecond[second] = Math.max(bySecond[second] ?? 0, lag)
        const due = Math.min(total, Math.floor((elapsed / 1000) * phase.rate))
        for (; sent < due; sent += 1) {
          const index = sent
          const at = (index / phase.rate) * 1000
          unanswered += 1
          submit(requestBytes(options.request(), host), (status) => {
            unanswered -= 1
            answers.set(index, performance.now() - started - at, status)
          })
        }
        // Let answers in; a 1 ms step keeps the rate even at thousands per second.
        await sleep(1)
      }
      lags.push({ max: sendLagMs, bySecond: Array.from(bySecond, (value) => value ?? 0) })
    }
    while (unanswered > 0) await sleep(5)
    return results.map((answers, index) => ({
      outcomes: answers.toOutcomes(),
      sendLagMs: lags[index]?.max ?? 0,
      sendLagBySecondMs: lags[index]?.bySecond ?? [],
    }))
  } finally {
    warm.close()
  }
}

export interface ClosedLoopResult {
  /** Answers a second, of any status. */
  reqPerSec: number
  /** Answers a second with a 2xx status. */
  servedPerSec: number
  requests: number
  non2xx: number
  errors: number
  timeouts: number
  p50Ms: number
  p99Ms: number
}

/**
 * A closed loop on the same raw connections: each sends its next request as soon as its answer is
 * in, for `durationSec`. The capacity the open loop is compared with, measured with the open
 * loop's own per-request cost (autocannon costs this machine about twice as much CPU a request,
 * taken from the server it measures).
 */
export async function runClosedLoop(
  options: OpenLoopOptions,
  durationSec: number,
): Promise<ClosedLoopResult> {
  const host = new URL(options.url).host
  const latencies: number[] = []
  const counts = { requests: 0, non2xx: 0, errors: 0, timeouts: 0 }
  // Set once every connection is warm, just before sendNext is first called.
  let deadline = Number.POSITIVE_INFINITY
  let busy = 0
  let allDone: () => void = () => {}
  const finished = new Promise<void>((resolve) => {
    allDone = resolve
  })
  const sendNext = (connection: RawConnection) => {
    if (performance.now() >= deadline) {
      busy -= 1
      if (busy === 0) allDone()
      return
    }
    connection.send(requestBytes(options.request(), host), (status) => {
      counts.requests += 1
      latencies.push(performance.now() - connection.sentAt)
      if (status === 'error') counts.errors += 1
      else if (status === 'timeout') counts.timeouts += 1
      else if (status < 200 || status >= 300) counts.non2xx += 1
    })
  }
  const warm = await openWarmConnections(options, sendNext)
  try {
    const started = performance.now()
    deadline = started + durationSec * 1000
    busy = warm.connections.length
    for (const connection of warm.connections) sendNext(connection)
    await finished
    const elapsedSec = (performance.now() - started) / 1000
    const failed = counts.non2xx + counts.errors + counts.timeouts
    return {
      ...counts,
      reqPerSec: Math.round(counts.requests / elapsedSec),
      servedPerSec: Math.round((counts.requests - failed) / elapsedSec),
      p50Ms: quantileOf(latencies, 0.5),
      p99Ms: quantileOf(latencies, 0.99),
    }
  } finally {
    warm.close()
  }
}

export const quantileOf = (values: readonly number[], q: number): number => {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0
}
