import { setTimeout as sleep } from 'node:timers/promises'
import { openTestDatabase, type TestDatabase } from '@bookstore/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PASSWORD, startAuthApi, uniqueEmail, uniqueIp } from './harness'

let database: TestDatabase
beforeAll(async () => {
  database = await openTestDatabase()
})
afterAll(() => database?.drop())

// Short, so the reset is seen soon; long enough that a loaded machine does the attempts within it.
const WINDOW = '4'

/** Retries `attempt` until it answers `status`, or fails at the deadline (no fixed sleeps). */
async function eventually<T extends { statusCode: number }>(
  attempt: () => Promise<T>,
  status: number,
  ms = 20_000,
): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const answer = await attempt()
    if (answer.statusCode === status) return answer
    if (Date.now() > deadline) throw new Error(`still ${answer.statusCode} after ${ms} ms`)
    await sleep(100)
  }
}

describe('login and register are rate-limited in Redis, across instances (SPEC A2)', () => {
  it('trips the per-account limit of an address (any instance), then resets after the window', async () => {
    const env = { RATE_LIMIT_WINDOW_SECONDS: WINDOW, RATE_LIMIT_LOGIN_PER_ACCOUNT: '3' }
    const [one, two] = [await startAuthApi(database.url, env), await startAuthApi(database.url, env)]
    try {
      const { email } = await one.account()
      const guesser = uniqueIp()
      // Three failures from one address, spread over two instances.
      for (const api of [one, two, one]) {
        expect((await api.login(email, 'wrong password!', guesser)).statusCode).toBe(401)
      }
      // Now even the right password is refused from there: the counter is shared.
      const tripped = await two.login(email, PASSWORD, guesser)
      expect(tripped.statusCode).toBe(429)
      expect(tripped.json().error.code).toBe('RATE_LIMITED')
      expect(Number(tripped.headers['retry-after'])).toBeGreaterThanOrEqual(1)
      expect(Number(tripped.headers['retry-after'])).toBeLessThanOrEqual(Number(WINDOW))
      // Unknown accounts are limited the same way (no enumeration through the limiter).
      const nobody = uniqueEmail()
      for (let i = 0; i < 3; i++) expect((await one.login(nobody, PASSWORD, guesser)).statusCode).toBe(401)
      expect((await one.login(nobody, PASSWORD, guesser)).statusCode).toBe(429)

      const after = await eventually(() => one.login(email, PASSWORD, guesser), 200)
      expect(after.json().user.role).toBe('customer')
    } finally {
      await one.close()
      await two.close()
    }
  })

  it('lets nobody lock an account out: guesses from one address lock out that address, not the owner', async () => {
    const api = await startAuthApi(database.url, { RATE_LIMIT_LOGIN_PER_ACCOUNT: '3' })
    try {
      const { email } = await api.account()
      const [attacker, owner] = [uniqueIp(), uniqueIp()]
      for (let i = 0; i < 3; i++)
        expect((await api.login(email, 'wrong password!', attacker)).statusCode).toBe(401)
      expect((await api.login(email, 'wrong password!', attacker)).statusCode).toBe(429)
      expect((await api.login(email, PASSWORD, attacker)).statusCode).toBe(429)
      // The owner, from an address of their own, is not affected.
      const own = await api.login(email, PASSWORD, owner)
      expect(own.statusCode).toBe(200)
      expect(own.json().user.role).toBe('customer')
    } finally {
      await api.close()
    }
  })

  it('clears the failure count of an account on a successful log-in', async () => {
    const api = await startAuthApi(database.url, { RATE_LIMIT_LOGIN_PER_ACCOUNT: '2' })
    try {
      const { email } = await api.account()
      for (let round = 0; round < 3; round++) {
        expect((await api.login(email, 'wrong password!')).statusCode).toBe(401)
        expect((await api.login(email)).statusCode).toBe(200)
      }
    } finally {
      await api.close()
    }
  })

  it('trips the per-address limits of log-in and register', async () => {
    const api = await startAuthApi(database.url, {
      RATE_LIMIT_WINDOW_SECONDS: WINDOW,
      RATE_LIMIT_LOGIN_PER_IP: '2',
      RATE_LIMIT_REGISTER_PER_IP: '2',
    })
    try {
      const ip = uniqueIp()
      expect((await api.register(uniqueEmail(), PASSWORD, ip)).statusCode).toBe(201)
      expect((await api.register(uniqueEmail(), PASSWORD, ip)).statusCode).toBe(201)
      const third = await api.register(uniqueEmail(), PASSWORD, ip)
      expect(third.statusCode).toBe(429)
      expect(third.headers['retry-after']).toBeDefined()
      // another address is not affected
      expect((await api.register(uniqueEmail(), PASSWORD, uniqueIp())).statusCode).toBe(201)

      const loginIp = uniqueIp()
      expect((await api.login(uniqueEmail(), PASSWORD, loginIp)).statusCode).toBe(401)
      expect((await api.login(uniqueEmail(), PASSWORD, loginIp)).statusCode).toBe(401)
      expect((await api.login(uniqueEmail(), PASSWORD, loginIp)).statusCode).toBe(429)
      await eventually(() => api.register(uniqueEmail(), PASSWORD, ip), 201)
    } finally {
      await api.close()
    }
  })

  it('counts an IPv6 client by its /64 network: a new address of the same network is no new client', async () => {
    const api = await startAuthApi(database.url, { RATE_LIMIT_LOGIN_PER_IP: '2' })
    try {
      // uniqueIp() is a /64 of its own with interface id ::1; these are other hosts of that /64.
      const network = uniqueIp().replace(/::1$/, '')
      const hosts = [`${network}::1`, `${network}:0:0:0:2`, `${network}:abcd:ef01:2345:6789`]
      const statuses = []
      for (const host of hosts) statuses.push((await api.login(uniqueEmail(), PASSWORD, host)).statusCode)
      expect(statuses).toEqual([401, 401, 429])
      // Another network is another client.
      expect((await api.login(uniqueEmail(), PASSWORD, uniqueIp())).statusCode).toBe(401)
    } finally {
      await api.close()
    }
  })

  it('counts per client behind a trusted proxy (X-Forwarded-For), not per proxy', async () => {
    const api = await startAuthApi(database.url, { RATE_LIMIT_LOGIN_PER_IP: '1', TRUST_PROXY: '127.0.0.1' })
    try {
      const viaProxy = (client: string) =>
        api.app.inject({
          method: 'POST',
          url: '/auth/login',
          remoteAddress: '127.0.0.1',
          headers: { 'x-forwarded-for': client },
          payload: { email: uniqueEmail(), password: PASSWORD },
        })
      const [first, second] = [uniqueIp(), uniqueIp()]
      expect((await viaProxy(first)).statusCode).toBe(401)
      expect((await viaProxy(second)).statusCode).toBe(401)
      expect((await viaProxy(first)).statusCode).toBe(429)
    } finally {
      await api.close()
    }
  })

  it('limits registration attempts per e-mail address', async () => {
    const api = await startAuthApi(database.url, { RATE_LIMIT_REGISTER_PER_ACCOUNT: '2' })
    try {
      const email = uniqueEmail()
      expect((await api.register(email, PASSWORD, uniqueIp())).statusCode).toBe(201)
      expect((await api.register(email, PASSWORD, uniqueIp())).statusCode).toBe(409)
      expect((await api.register(email, PASSWORD, uniqueIp())).statusCode).toBe(429)
    } finally {
      await api.close()
    }
  })
})
