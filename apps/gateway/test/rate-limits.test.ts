import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type GatewayStack, startGatewayStack } from './harness'

/** A client address of this run only: the counters live in the shared Redis for a whole window. */
const address = () =>
  `10.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}.${1 + Math.floor(Math.random() * 254)}`

describe('rate limits shared by every gateway instance', () => {
  let stack: GatewayStack

  beforeAll(async () => {
    stack = await startGatewayStack({
      apps: [
        'cart-api',
        { name: 'auth-api', env: { TRUST_PROXY: '127.0.0.1', RATE_LIMIT_REGISTER_PER_IP: '2' } },
      ],
      database: true,
      gateways: 2,
      // The tests' clients all come from 127.0.0.1: as a load balancer would, they say who they are.
      gatewayEnv: {
        TRUST_PROXY: '127.0.0.1',
        RATE_LIMIT_PER_IP: '10',
        RATE_LIMIT_PER_USER: '6',
        RATE_LIMIT_WINDOW_MS: '60000',
      },
    })
  })
  afterAll(() => stack.close())

  const get = (gateway: number, headers: Record<string, string>) =>
    fetch(`${stack.gateways[gateway]?.url}/api/cart`, { headers })

  it('a client address over the limit across two gateways gets 429 with Retry-After; other addresses do not', async () => {
    const greedy = { 'x-forwarded-for': address() }
    const statuses: number[] = []
    for (let index = 0; index < 12; index++) statuses.push((await get(index % 2, greedy)).status)
    // 401: cart-api's own answer (no token), so every one of the first 10 reached it.
    expect(statuses).toEqual([...Array(10).fill(401), 429, 429])
    const refused = await get(0, greedy)
    expect(refused.status).toBe(429)
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(await refused.json()).toMatchObject({
      error: { code: 'RATE_LIMITED', details: { limit: 'ip', retryAfterSeconds: expect.any(Number) } },
      requestId: expect.any(String),
    })
    expect((await get(1, { 'x-forwarded-for': address() })).status).toBe(401)
  })

  it('a request with a token counts against its user, whatever address it comes from; other users are not held', async () => {
    const heavy = await stack.shopper()
    const statuses: number[] = []
    for (let index = 0; index < 8; index++)
      statuses.push((await get(index % 2, { ...heavy.auth, 'x-forwarded-for': address() })).status)
    expect(statuses).toEqual([...Array(6).fill(200), 429, 429])
    const light = await stack.shopper()
    expect((await get(0, { ...light.auth, 'x-forwarded-for': address() })).status).toBe(200)
    // Shoppers behind one address (an office) do not use up each other's limit, nor the address's.
    const office = address()
    const colleagues = await Promise.all(Array.from({ length: 12 }, () => stack.shopper()))
    const answers = await Promise.all(
      colleagues.map(({ auth }, index) => get(index % 2, { ...auth, 'x-forwarded-for': office })),
    )
    expect(answers.map((answer) => answer.status)).toEqual(Array(12).fill(200))
  })

  it('passes the client address on: auth-api behind the gateway limits each client, not the gateway', async () => {
    const register = (client: string, index: number) =>
      fetch(`${stack.url}/api/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': client },
        body: JSON.stringify({
          email: `rl-${client}-${index}@example.com`,
          password: 'correct horse battery staple',
        }),
      })
    const one = address()
    const first = [await register(one, 1), await register(one, 2), await register(one, 3)]
    expect(first.map((response) => response.status)).toEqual([201, 201, 429])
    expect((await register(address(), 1)).status).toBe(201)
  })
})
