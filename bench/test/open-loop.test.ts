import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { type OpenLoopRequest, runClosedLoop, runOpenLoop } from '../lib/open-loop'

const servers: Server[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((closed) => server.close(closed))))
})

/** A server answering every third POST with a 503 and the others with a 200; GETs (warm-ups) with a 200. */
async function startServer(answer: 'always' | 'never-to-posts' = 'always') {
  const seen = { posts: 0, refused: 0 }
  const server = createServer((request, response) => {
    request.resume()
    if (request.method !== 'POST') {
      response.end('ok')
      return
    }
    seen.posts += 1
    if (answer === 'never-to-posts') return
    const refuse = seen.posts % 3 === 0
    if (refuse) seen.refused += 1
    response.writeHead(refuse ? 503 : 200, { 'content-type': 'text/plain' })
    response.end(refuse ? 'busy' : 'done')
  })
  servers.push(server)
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}`, seen }
}

const post: OpenLoopRequest = {
  method: 'POST',
  path: '/items',
  headers: { 'content-type': 'application/json' },
  body: '{"quantity":1}',
}

describe('runOpenLoop', () => {
  it('sends the rate it was given whatever the answers, and reports each status', async () => {
    const { url, seen } = await startServer()
    const [warmUp, counted] = await runOpenLoop(
      { url, connections: 8, timeoutMs: 2000, request: () => post },
      [
        { label: 'warm-up', rate: 100, durationSec: 1 },
        { label: 'counted', rate: 200, durationSec: 1 },
      ],
    )
    expect(warmUp?.outcomes).toHaveLength(100)
    expect(counted?.outcomes).toHaveLength(200)
    const all = [...(warmUp?.outcomes ?? []), ...(counted?.outcomes ?? [])]
    expect(all.filter((outcome) => outcome.status === 503)).toHaveLength(seen.refused)
    expect(all.filter((outcome) => outcome.status === 200)).toHaveLength(seen.posts - seen.refused)
    // Due times are spread over the phase, not bunched at its start.
    expect(Math.max(...(counted?.outcomes ?? []).map((outcome) => outcome.at))).toBeGreaterThan(900)
  })

  it('counts an answer that never comes as a timeout', async () => {
    const { url } = await startServer('never-to-posts')
    const [phase] = await runOpenLoop({ url, connections: 4, timeoutMs: 300, request: () => post }, [
      { label: 'unanswered', rate: 10, durationSec: 0.2 },
    ])
    expect(phase?.outcomes.map((outcome) => outcome.status)).toEqual(['timeout', 'timeout'])
  })
})

describe('runClosedLoop', () => {
  it('keeps every connection busy for the duration and counts what was not a 2xx', async () => {
    const { url, seen } = await startServer()
    const run = await runClosedLoop({ url, connections: 4, timeoutMs: 2000, request: () => post }, 0.5)
    expect(run.requests).toBe(seen.posts)
    expect(run.requests).toBeGreaterThan(50)
    expect(run.non2xx).toBe(seen.refused)
    expect(run.errors + run.timeouts).toBe(0)
    expect(run.servedPerSec).toBeLessThan(run.reqPerSec)
    expect(run.p99Ms).toBeGreaterThanOrEqual(run.p50Ms)
  })
})
