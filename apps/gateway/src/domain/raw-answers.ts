import { STATUS_CODES } from 'node:http'

/**
 * An HTTP answer written straight to a socket, in the apps' error shape, for the places Fastify
 * does not reach: a request Node's parser refused, an upgrade the gateway does not take.
 */
export function rawErrorAnswer(
  status: number,
  error: { code: string; message: string; details?: Record<string, unknown> },
  requestId: string,
): string {
  const body = JSON.stringify({ error, requestId })
  return [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    `X-Request-Id: ${requestId}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n')
}

/** The status code of an HTTP answer's first bytes (`HTTP/1.1 101 Switching Protocols`), for the log. */
export const statusOfAnswer = (chunk: Buffer) =>
  Number(/^HTTP\/1\.[01] (\d{3})/.exec(chunk.toString('latin1', 0, 16))?.[1] ?? 0)
