/**
 * The floor bench:overload's 503 latency is read against: a server that answers every request at
 * once with cart-api's 503 OVERLOADED (node:http and nothing else: no Redis, no app, no gate). What
 * the load generator measures against it at the overload's rate is what the generator and this
 * machine's sockets alone add to any answer. Started by bench/overload.ts in its own process with PORT.
 */
import { createServer } from 'node:http'

const body = JSON.stringify({
  error: { code: 'OVERLOADED', message: 'The service is overloaded; retry in a second' },
  requestId: '00000000-0000-4000-8000-000000000000',
})
const headers = {
  'content-type': 'application/json; charset=utf-8',
  'content-length': Buffer.byteLength(body),
  'retry-after': '1',
}

const server = createServer((request, response) => {
  if (request.url === '/health/ready') {
    response.end('{"status":"ok"}')
    return
  }
  request.resume()
  response.writeHead(503, headers)
  response.end(body)
})
server.listen(Number(process.env.PORT), '127.0.0.1')
process.on('SIGTERM', () => server.close())
