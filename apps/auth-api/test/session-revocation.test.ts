import { openTestDatabase, type TestDatabase } from '@bookstore/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Session, startAuthApi, type TestAuthApi } from './harness'

let database: TestDatabase
let auth: TestAuthApi
beforeAll(async () => {
  database = await openTestDatabase()
  auth = await startAuthApi(database.url, { DATABASE_POOL_SIZE: '4' })
})
afterAll(async () => {
  await auth?.close()
  await database?.drop()
})

describe('a log-out no concurrent refresh escapes (issue 18)', () => {
  it('leaves no working refresh token of the session once the log-out has answered', async () => {
    const { email } = await auth.account()
    const escaped: string[] = []
    for (let round = 0; round < 40; round++) {
      const session = (await auth.login(email)).json() as Session
      const [refreshed, loggedOut] = await Promise.all([
        auth.refresh(session.refreshToken),
        auth.logout(session.refreshToken),
      ])
      expect(loggedOut.statusCode).toBe(204)
      const tokens = [session.refreshToken]
      if (refreshed.statusCode === 200) tokens.push((refreshed.json() as Session).refreshToken)
      else expect(refreshed.json().error.code).toBe('REFRESH_TOKEN_REVOKED')
      for (const token of tokens) {
        const answer = await auth.refresh(token)
        if (answer.statusCode !== 401) escaped.push(`round ${round}: ${answer.statusCode}`)
      }
    }
    expect(escaped).toEqual([])
  })
})
