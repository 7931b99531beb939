import { once } from 'node:events'
import { createServer, type RequestListener, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import { Agent } from 'undici'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { classifyFailure } from '../src/domain/retry-policy'
import { BUFFERED_ANSWER_BYTES, callUpstream, type UpstreamCall } from '../src/domain/upstream-call'

/** Real HTTP servers as upstreams: what the gateway's hop reads is what a socket delivers. */
describe('one call to an upstream instance', () => {
  const agent = new Agent({ connections: 4 })
  let server: Server | undefined
  afterEach(async () => {
    server?.closeAllConnections()
    if (server) await new Promise((resolve) => server?.close(resolve))
    server = undefined
  })
  afterAll(() => agent.close())

  async function upstream(listener: RequestListener): Promise<string> {
    server = createServer(listener)
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  }
  const call = (origin: string, more: Partial<UpstreamCall> = {}): UpstreamCall => ({
    origin,
    method: 'GET',
    path: '/thing?x=1',
    headers: { 'x-request-id': 'r-1' },
    body: undefined,
    timeoutMs: 2000,
    ...more,
  })
  const bytesOf = async (body: Buffer | Readable) => {
    if (Buffer.isBuffer(body)) return body
    const chunks: Buffer[] = []
    for await (const chunk of body) chunks.push(chunk as Buffer)
    return Buffer.concat(chunks)
  }

  it('reads a small sized answer whole, with its headers but not the hop-by-hop ones', async () => {
    let seen: { url?: string; body?: string; requestId?: string } = {}
    const origin = await upstream((request, response) => {
      const chunks: Buffer[] = []
      request.on('data', (chunk: Buffer) => chunks.push(chunk))
      request.on('end', () => {
        seen = {
          url: request.url,
          body: Buffer.concat(chunks).toString(),
          requestId: String(request.headers['x-request-id']),
        }
        response.writeHead(201, {
          'content-type': 'application/json',
          'content-length': 11,
          'set-cookie': ['a=1', 'b=2'],
          'keep-alive': 'timeout=5',
        })
        response.end('{"ok":true}')
      })
    })
    const answer = await callUpstream(
      agent,
      call(origin, {
        method: 'POST',
        body: Buffer.from('{"q":1}'),
        headers: { 'content-type': 'application/json' },
      }),
    )
    expect(seen).toMatchObject({ url: '/thing?x=1', body: '{"q":1}' })
    expect(answer.status).toBe(201)
    expect(Buffer.isBuffer(answer.body)).toBe(true)
    expect(String(answer.body)).toBe('{"ok":true}')
    expect(answer.headers['content-length']).toBe('11')
    expect(answer.headers['set-cookie']).toEqual(['a=1', 'b=2'])
    expect(answer.headers).not.toHaveProperty('keep-alive')
    expect(answer.headers).not.toHaveProperty('connection')
  })

  it('streams a large sized answer and an unsized (chunked) one, byte for byte', async () => {
    const large = Buffer.alloc(BUFFERED_ANSWER_BYTES * 2 + 123, 7)
    const origin = await upstream((request, response) => {
      if (request.url === '/large') {
        response.writeHead(200, { 'content-length': large.length })
        response.end(large)
        return
      }
      response.writeHead(200, { 'content-type': 'text/plain' })
      response.write('first,')
      setTimeout(() => response.end('second'), 20)
    })
    const sized = await callUpstream(agent, call(origin, { path: '/large' }))
    expect(sized.body).toBeInstanceOf(Readable)
    expect(sized.headers).not.toHaveProperty('content-length')
    expect((await bytesOf(sized.body)).equals(large)).toBe(true)
    const unsized = await callUpstream(agent, call(origin, { path: '/chunked' }))
    expect(unsized.body).toBeInstanceOf(Readable)
    expect(unsized.headers).not.toHaveProperty('transfer-encoding')
    expect(String(await bytesOf(unsized.body))).toBe('first,second')
  })

  it('answers HEAD with the headers only, and an empty answer with an empty body', async () => {
    const origin = await upstream((request, response) => {
      if (request.method === 'HEAD') {
        response.writeHead(200, { 'content-length': 500 })
        response.end()
        return
      }
      response.writeHead(204)
      response.end()
    })
    const head = await callUpstream(agent, call(origin, { method: 'HEAD' }))
    expect(head.status).toBe(200)
    expect(head.headers['content-length']).toBe('500')
    expect((head.body as Buffer).length).toBe(0)
    const empty = await callUpstream(agent, call(origin, { method: 'DELETE' }))
    expect(empty.status).toBe(204)
    expect((empty.body as Buffer).length).toBe(0)
  })

  it('fails as a timeout when no answer comes, and as a connect failure when nothing listens', async () => {
    const origin = await upstream(() => {})
    const silent = await callUpstream(agent, call(origin, { timeoutMs: 200 })).catch(
      (error: unknown) => error,
    )
    expect(classifyFailure(silent)).toBe('timeout')
    const closed = await upstream(() => {})
    server?.close()
    const refused = await callUpstream(agent, call(closed)).catch((error: unknown) => error)
    expect(classifyFailure(refused)).toBe('connect')
  })

  it('a streamed answer cut mid-body ends its stream with an error, never as if complete', async () => {
    const origin = await upstream((_request, response) => {
      response.writeHead(200, { 'content-length': BUFFERED_ANSWER_BYTES * 2 })
      response.write(Buffer.alloc(1000))
      setTimeout(() => response.socket?.destroy(), 20)
    })
    const answer = await callUpstream(agent, call(origin))
    await expect(bytesOf(answer.body)).rejects.toThrow()
  })

  it('a stream the client stops reading stops the upstream too (its connection is closed)', async () => {
    let upstreamClosed = false
    const origin = await upstream((_request, response) => {
      response.writeHead(200)
      const timer = setInterval(() => response.write(Buffer.alloc(64 * 1024)), 5)
      response.on('close', () => {
        clearInterval(timer)
        upstreamClosed = true
      })
    })
    const answer = await callUpstream(agent, call(origin))
    const stream = answer.body as Readable
    await once(stream, 'data')
    stream.destroy()
    await expect.poll(() => upstreamClosed, { timeout: 2000 }).toBe(true)
  })
})
