import { type LogLine, openTestDatabase, type TestDatabase } from '@bookstore/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PASSWORD, startAuthApi, type TestAuthApi, uniqueEmail } from './harness'

const logs: LogLine[] = []
let database: TestDatabase
let auth: TestAuthApi
beforeAll(async () => {
  database = await openTestDatabase()
  // A write the database refuses for a reason of its own (not a duplicate): the worst case, since
  // PostgreSQL's message details then carry the whole row, and drizzle's error the query's values.
  await database.pool.query(
    "ALTER TABLE users ADD CONSTRAINT refuses_some_emails CHECK (email NOT LIKE 'refused-%')",
  )
  auth = await startAuthApi(database.url, { LOG_LEVEL: 'debug' }, { logs })
})
afterAll(async () => {
  await auth?.close()
  await database?.drop()
})

/** No trace of the account's e-mail, its password or an argon2 hash, in the logs or the answer. */
function expectNoPersonalData(text: string, email: string) {
  expect(text).not.toContain(email)
  expect(text).not.toContain(PASSWORD)
  expect(text).not.toContain('$argon2')
}

describe('a failed registration leaves no personal data in the logs (issue 18)', () => {
  it('logs a database failure without the e-mail, the password or the hash', async () => {
    const email = `refused-${uniqueEmail()}`
    logs.length = 0
    const answer = await auth.register(email, PASSWORD)
    expect(answer.statusCode).toBe(500)
    expect(answer.json().error.code).toBe('INTERNAL_ERROR')
    expectNoPersonalData(answer.body, email)

    const failure = logs.find((line) => line.msg === 'request failed')
    // Still useful to whoever reads it: what failed, and PostgreSQL's reason.
    expect(JSON.stringify(failure)).toContain('insert into')
    expect(JSON.stringify(failure)).toContain('refuses_some_emails')
    expectNoPersonalData(JSON.stringify(logs), email)
  })

  it('logs a duplicate registration without the e-mail, the password or the hash', async () => {
    const email = uniqueEmail()
    expect((await auth.register(email, PASSWORD)).statusCode).toBe(201)
    logs.length = 0
    const answer = await auth.register(email, PASSWORD)
    expect(answer.statusCode).toBe(409)
    expect(logs.length).toBeGreaterThan(0)
    expectNoPersonalData(JSON.stringify(logs), email)
  })
})
