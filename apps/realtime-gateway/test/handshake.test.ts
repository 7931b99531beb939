import { BEARER_PROTOCOL_PREFIX, REALTIME_PROTOCOL } from '@bookstore/events'
import { generateTestKeys, signTestToken } from '@bookstore/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newUser, refusal, startSystem, type TestSystem } from './harness'

let system: TestSystem
beforeAll(async () => {
  system = await startSystem({ env: { MAX_SOCKETS_PER_USER: '2' } })
})
afterAll(() => system.close())

const withToken = (token: string) => [REALTIME_PROTOCOL, `${BEARER_PROTOCOL_PREFIX}${token}`]
const opened = (ws: import('ws').WebSocket) =>
  new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('unexpected-response', (_request, response) =>
      reject(new Error(`refused ${response.statusCode}`)),
    )
  })

describe('authentication before the upgrade (RT2)', () => {
  it('refuses a missing token with 401 AUTH_TOKEN_MISSING', async () => {
    const ws = system.socket(0, { protocols: [REALTIME_PROTOCOL] })
    expect(await refusal(ws)).toEqual({ status: 401, code: 'AUTH_TOKEN_MISSING' })
  })

  it('refuses an expired token with 401 AUTH_TOKEN_EXPIRED', async () => {
    const token = await system.token(newUser(), { expiresIn: -60 })
    expect(await refusal(system.socket(0, { protocols: withToken(token) }))).toEqual({
      status: 401,
      code: 'AUTH_TOKEN_EXPIRED',
    })
  })

  it('refuses a tampered token and one signed with another key with 401 AUTH_TOKEN_INVALID', async () => {
    const token = await system.token(newUser())
    const [header, payload, signature] = token.split('.') as [string, string, string]
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'someone-else' })).toString('base64url')
    expect(
      await refusal(system.socket(0, { protocols: withToken(`${header}.${forged}.${signature}`) })),
    ).toEqual({
      status: 401,
      code: 'AUTH_TOKEN_INVALID',
    })
    const foreign = await signTestToken(generateTestKeys().privateKey, newUser())
    expect(await refusal(system.socket(0, { protocols: withToken(foreign) }))).toEqual({
      status: 401,
      code: 'AUTH_TOKEN_INVALID',
    })
  })

  it('refuses a foreign Origin with 403 and lets an allowed one in', async () => {
    const token = await system.token(newUser())
    expect(
      await refusal(system.socket(0, { protocols: withToken(token), origin: 'https://evil.example' })),
    ).toEqual({ status: 403, code: 'ORIGIN_NOT_ALLOWED' })
    const ws = system.socket(0, { protocols: withToken(token), origin: 'https://shop.example' })
    await opened(ws)
    ws.close()
  })

  it('needs the protocol version, and echoes only it (never the token)', async () => {
    const token = await system.token(newUser())
    expect(await refusal(system.socket(0, { protocols: [`${BEARER_PROTOCOL_PREFIX}${token}`] }))).toEqual({
      status: 400,
      code: 'WS_PROTOCOL_REQUIRED',
    })
    const ws = system.socket(0, { protocols: withToken(token) })
    await opened(ws)
    expect(ws.protocol).toBe(REALTIME_PROTOCOL)
    ws.close()
  })

  it('takes the token from an Authorization header too (command-line clients)', async () => {
    const token = await system.token(newUser())
    const ws = system.socket(0, {
      protocols: [REALTIME_PROTOCOL],
      headers: { authorization: `Bearer ${token}` },
    })
    await opened(ws)
    ws.close()
  })

  it('limits the sockets of one user with 429 TOO_MANY_SOCKETS', async () => {
    const token = await system.token(newUser())
    const first = system.socket(0, { protocols: withToken(token) })
    const second = system.socket(0, { protocols: withToken(token) })
    await Promise.all([opened(first), opened(second)])
    expect(await refusal(system.socket(0, { protocols: withToken(token) }))).toEqual({
      status: 429,
      code: 'TOO_MANY_SOCKETS',
    })
  })

  it('closes a socket that sends something that is not the protocol with 4400', async () => {
    const token = await system.token(newUser())
    const ws = system.socket(0, { protocols: withToken(token) })
    await opened(ws)
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)))
    ws.send('{"type":"subscribe","everything":true}')
    expect(await closed).toBe(4400)
  })
})
