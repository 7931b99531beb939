import type { IncomingHttpHeaders } from 'node:http'
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
  body: Buffer | Dispatcher.ResponseData['body']
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

export async function callUpstream(dispatcher: Dispatcher, call: UpstreamCall): Promise<UpstreamAnswer> {
  const answer = await dispatcher.request({
    origin: call.origin,
    method: call.method,
    path: call.path,
    headers: call.headers,
    body: call.body,
    headersTimeout: call.timeoutMs,
    bodyTimeout: call.timeoutMs,
  })
  const headers = clientResponseHeaders(answer.headers)
  const length = Number(answer.headers['content-length'])
  if (call.method === 'HEAD' || (Number.isFinite(length) && length <= BUFFERED_ANSWER_BYTES)) {
    return { status: answer.statusCode, headers, body: Buffer.from(await answer.body.arrayBuffer()) }
  }
  // Unsized or large: streamed, with the length (if any) left to the stream's framing.
  delete headers['content-length']
  return { status: answer.statusCode, headers, body: answer.body }
}
