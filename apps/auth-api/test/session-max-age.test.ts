import { refreshTokens } from '@bookstore/db'
import { openTestDatabase, type TestDatabase } from '@bookstore/test-kit'
import { eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadAuthApiConfig } from '../src/config'
import { type Session, startAuthApi, type TestAuthApi } from './harness'

const MAX_AGE = 120

let database: TestDatabase
let auth: TestAuthApi
beforeAll(async () => {
  database = await openTestDatabase()
  auth = await startAuthApi(database.url, { SESSION_MAX_AGE_SECONDS: String(MAX_AGE) })
})
afterAll(async () => {
  await auth?.close()
  await database?.drop()
})

/** Makes the session of `userId` `seconds` older, as if that time had passed since its log-in. */
const age = (userId: string, seconds: number) =>
  database.db
    .update(refreshTokens)
    .set({ createdAt: sql`${refreshTokens.createdAt} - make_interval(secs => ${seconds})` })
    .where(eq(refreshTokens.userId, userId))

describe('a session has an absolute maximum age (issue 18)', () => {
  it('refuses to rotate a refresh token of a session older than SESSION_MAX_AGE_SECONDS', async () => {
    const session = await auth.account()
    // Rotation works within the age, however often; no token outlives the session's end.
    const second = (await auth.refresh(session.refreshToken)).json() as Session
    expect(session.refreshExpiresIn).toBeLessThanOrEqual(MAX_AGE)
    expect(second.refreshExpiresIn).toBeLessThanOrEqual(MAX_AGE)
    await age(session.user.id, MAX_AGE / 2)
    const third = (await auth.refresh(second.refreshToken)).json() as Session
    expect(third.refreshToken).toBeDefined()
    expect(third.refreshExpiresIn).toBeLessThanOrEqual(MAX_AGE / 2)

    await age(session.user.id, MAX_AGE / 2)
    const refused = await auth.refresh(third.refreshToken)
    expect(refused.statusCode).toBe(401)
    expect(refused.json().error.code).toBe('SESSION_MAX_AGE_EXCEEDED')
    // A new log-in is a new session, with its own age.
    const fresh = (await auth.login(session.email)).json() as Session
    expect((await auth.refresh(fresh.refreshToken)).statusCode).toBe(200)
  })

  it('validates SESSION_MAX_AGE_SECONDS at boot', () => {
    const env = { DATABASE_URL: 'postgres://localhost/auth' }
    expect(loadAuthApiConfig(env).SESSION_MAX_AGE_SECONDS).toBe(90 * 24 * 3600)
    for (const bad of ['0', '59', 'a week', '1.5'])
      expect(() => loadAuthApiConfig({ ...env, SESSION_MAX_AGE_SECONDS: bad })).toThrow(
        /SESSION_MAX_AGE_SECONDS/,
      )
  })
})
