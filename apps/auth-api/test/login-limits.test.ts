import { openTestDatabase, type TestDatabase } from '@bookstore/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { countingAuthService, outcomeCodes } from './auth-service'
import { PASSWORD, uniqueEmail, uniqueIp } from './harness'

let database: TestDatabase
beforeAll(async () => {
  database = await openTestDatabase()
})
afterAll(() => database?.drop())

const WRONG = 'a wrong password!'

describe('the log-in limits count an attempt before it is evaluated (issue 18)', () => {
  it('evaluates at most the limit of N parallel wrong log-ins for one account; the rest are 429', async () => {
    const limit = 3
    const { service, verifications, close } = await countingAuthService(database.db, {
      limits: { loginPerAccount: limit },
    })
    try {
      const email = uniqueEmail()
      await service.createAccount({ email, password: PASSWORD, role: 'customer' })
      const attacker = uniqueIp()
      const results = await Promise.allSettled(
        Array.from({ length: 12 }, () => service.login({ email, password: WRONG }, attacker)),
      )
      expect(verifications.count).toBeLessThanOrEqual(limit)
      expect(outcomeCodes(results)).toEqual([
        ...Array(limit).fill('INVALID_CREDENTIALS'),
        ...Array(12 - limit).fill('RATE_LIMITED'),
      ])
    } finally {
      await close()
    }
  })
})
