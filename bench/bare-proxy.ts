/**
 * The floor the gateway is measured against (bench/gateway.ts): a forwarder with nothing but the
 * hop, node:http in and undici out, the body read whole and the answer sent whole, `/api` taken
 * off the path. No routing table, no limits, no headers of its own, no logs, no metrics, no retry.
 * What it costs is what any Node hop costs on this machine; what the gateway costs above it is the
 * gateway's own. Started by bench/gateway.ts in its own process with UPSTREAM and PORT.
 */
import { createServer } from 'node:http'
import { Pool } from 'undici'

const upstream = process.env.UPSTREAM ?? ''
const pool = new Pool(upstream, { connections: 128 })
const hopHeaders = new Set(['connection', 'keep-alive', 'transfer-encoding'])
// undici sets these from the request it sends.
const setByClient = new Set([...hopHeaders, 'host', 'content-length'])

const server = createServer((request, response) => {
  if (request.url === '/health/ready') {
    response.end('{"status":"ok"}')
    return
  }
  const chunks: Buffer[] = []
  request.on('data', (chunk: Buffer) => chunks.push(chunk))
  request.on('end', () => {
    const headers: Record<string, string | string[]> = {}
    for (const [name, value] of Object.entries(request.headers))
      if (value !== undefined && !setByClient.has(name)) headers[name] = value
    // undici's handler interface, as the gateway calls it (its cheapest way to read an answer).
    let status = 0
    let sent: Record<string, string | string[]> = {}
    const body: Buffer[] = []
    pool.dispatch(
      {
        method: request.method === 'POST' ? 'POST' : 'GET',
        path: (request.url ?? '/').replace(/^\/api/, ''),
        headers,
        body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
      },
      {
        onRequestStart() {},
        onResponseStart(_controller, statusCode, answerHeaders) {
          status = statusCode
          sent = {}
          for (const [name, value] of Object.entries(answerHeaders))
            if (value !== undefined && !hopHeaders.has(name)) sent[name] = value
        },
        onResponseData(_controller, chunk) {
          body.push(chunk)
        },
        onResponseEnd() {
          response.writeHead(status, sent)
          response.end(Buffer.concat(body))
        },
        onResponseError() {
          response.statusCode = 502
          response.end()
        },
      },
    )
  })
})
server.listen(Number(process.env.PORT), '127.0.0.1')
process.on('SIGTERM', () => {
  server.close()
  void pool.close()
})
