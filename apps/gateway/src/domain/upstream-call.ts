import type { IncomingHttpHeaders } from 'node:http'
import { Readable } from 'node:stream'
import type { Dispatcher } from 'undici'

/**
 * One request sent on to one upstream instance, and its answer read whole.
 *
 * Why not @fastify/reply-from: bench:gateway measured the gateway at 2.5 times the CPU per request
 * of a plain node:http + undici forwarder, most of it in piping the answer through streams and in
 * the plugin's per-request wrappers. The apps answer with small JSON bodies, so the answer is read
 * into one buffer and sent with its length in one write; a large or unsized answer is streamed.
 */

/** Headers that describe one hop's connection, never passed on (RFC 9110 7.6.1), plus what undici sets itself. */
const hopByHop = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
])
/** The request headers never sent upstream as they came: the hop's own, and what undici sets itself. */
export const notSentUpstream: ReadonlySet<string> = new Set([...hopByHop, 'host', 'content-length', 'expect'])

/** The answer's headers as the client may see them. */
export function clientResponseHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const sent: IncomingHttpHeaders = {}
  for (const name in headers) if (!hopByHop.has(name)) sent[name] = headers[name]
  return sent
}

/** Answers up to this size are read whole before they are sent on; larger ones are streamed. */
export const BUFFERED_ANSWER_BYTES = 1024 * 1024

export interface UpstreamAnswer {
  status: number
  headers: IncomingHttpHeaders
  /** The whole body, or the stream of a large or unsized one. */
  body: Buffer | Readable
}

export interface UpstreamCall {
  origin: string
  method: Dispatcher.HttpMethod
  /** The app's own path with the query string. */
  path: string
  headers: IncomingHttpHeaders
  body: Buffer | undefined
  timeoutMs: number
}

/**
 * undici's handler interface rather than `request()`: `request()` wraps every answer in a Readable
 * and a promise chain before the first byte is read; here a small answer is a list of chunks and
 * one callback. Through a bare forwarder on a trivial upstream that carried 45% more requests.
 */
export function callUpstream(dispatcher: Dispatcher, call: UpstreamCall): Promise<UpstreamAnswer> {
  return new Promise((resolve, reject) => {
    dispatcher.dispatch(
      {
        origin: call.origin,
        method: call.method,
        path: call.path,
        headers: call.headers,
        body: call.body,
        headersTimeout: call.timeoutMs,
        bodyTimeout: call.timeoutMs,
      },
      new AnswerReader(call.method === 'HEAD', resolve, reject),
    )
  })
}

/** Reads one answer: whole when it is small and sized, else as a stream that follows the client's pace. */
class AnswerReader implements Dispatcher.DispatchHandler {
  private status = 0
  private headers: IncomingHttpHeaders = {}
  private readonly chunks: Buffer[] = []
  private stream: Readable | undefined
  private ended = false

  constructor(
    private readonly isHead: boolean,
    private readonly resolve: (answer: UpstreamAnswer) => void,
    private readonly reject: (error: Error) => void,
  ) {}

  onRequestStart(): void {}

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
  ): void {
    // An informational answer (103 Early Hints): the final one follows.
    if (statusCode < 200) return
    this.status = statusCode
    this.headers = clientResponseHeaders(headers)
    const length = Number(headers['content-length'])
    // HEAD, 204 and 304 have no body, whatever their headers say (RFC 9112 6.3).
    const bodiless = this.isHead || statusCode === 204 || statusCode === 304
    if (bodiless || (Number.isFinite(length) && length <= BUFFERED_ANSWER_BYTES)) return
    // Unsized or large: streamed, with the length (if any) left to the stream's framing.
    delete this.headers['content-length']
    this.stream = new Readable({
      read: () => controller.resume(),
      // The client went away (the stream destroyed before its end): the upstream stops sending too.
      destroy: (error, done) => {
        if (!this.ended) controller.abort(error ?? new Error('the client went away'))
        done(error)
      },
    })
    this.resolve({ status: this.status, headers: this.headers, body: this.stream })
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.stream === undefined) this.chunks.push(chunk)
    else if (!this.stream.push(chunk)) controller.pause()
  }

  onResponseEnd(): void {
    this.ended = true
    if (this.stream !== undefined) {
      this.stream.push(null)
      return
    }
    const body = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks)
    this.resolve({ status: this.status, headers: this.headers, body })
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.ended = true
    if (this.stream !== undefined) this.stream.destroy(error)
    else this.reject(error)
  }
}
