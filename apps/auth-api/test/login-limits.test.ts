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

  it('bounds guesses spread over many addresses per account; addresses the owner used still get in', async () => {
    const wide = 4
    const { service, verifications, close } = await countingAuthService(database.db, {
      limits: { loginPerAccount: 2, loginPerAccountAllAddresses: wide },
    })
    try {
      const email = uniqueEmail()
      await service.createAccount({ email, password: PASSWORD, role: 'customer' })
      const home = uniqueIp()
      await service.login({ email, password: PASSWORD }, home)
      verifications.count = 0
      // One guess from each of 12 addresses at once: the owner's log-in above took one of the `wide`.
      const results = await Promise.allSettled(
        Array.from({ length: 12 }, () => service.login({ email, password: WRONG }, uniqueIp())),
      )
      expect(verifications.count).toBeLessThanOrEqual(wide - 1)
      expect(outcomeCodes(results)).toEqual([
        ...Array(wide - 1).fill('INVALID_CREDENTIALS'),
        ...Array(12 - (wide - 1)).fill('RATE_LIMITED'),
      ])
      // A new address is refused even with the right password; the owner's known address is not.
      await expect(service.login({ email, password: PASSWORD }, uniqueIp())).rejects.toMatchObject({
        code: 'RATE_LIMITED',
      })
      await expect(service.login({ email, password: PASSWORD }, home)).resolves.toMatchObject({
        tokenType: 'Bearer',
      })
    } finally {
      await close()
    }
  })
})
