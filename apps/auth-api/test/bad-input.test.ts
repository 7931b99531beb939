import { users } from '@bookstore/db'
import { openTestDatabase, type TestDatabase } from '@bookstore/test-kit'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { countingAuthService } from './auth-service'
import { PASSWORD, startAuthApi, type TestAuthApi, uniqueEmail, uniqueIp } from './harness'

let database: TestDatabase
let auth: TestAuthApi
beforeAll(async () => {
  database = await openTestDatabase()
  auth = await startAuthApi(database.url)
})
afterAll(async () => {
  await auth?.close()
  await database?.drop()
})

describe('log-in answers reveal nothing about which accounts exist (SPEC A2)', () => {
  it('answers a wrong password and an unknown user the same way', async () => {
    const { email } = await auth.account()
    const wrongPassword = await auth.login(email, 'not the password at all')
    const unknownUser = await auth.login(uniqueEmail(), 'not the password at all')
    const malformed = await auth.login(uniqueEmail().replace('@', '-at-'), 'not the password at all')
    for (const answer of [wrongPassword, unknownUser, malformed]) {
      expect(answer.statusCode).toBe(401)
      expect(answer.json().error).toEqual({
        code: 'INVALID_CREDENTIALS',
        message: 'The e-mail address or the password is wrong',
      })
      expect(Object.keys(answer.headers).sort()).toEqual(Object.keys(wrongPassword.headers).sort())
    }
  })

  it('spends one argon2 verification on an unknown user, as on a known one (equal timing)', async () => {
    const { service, verifications, close } = await countingAuthService(database.db, {
      limits: { loginPerIp: 100, loginPerAccount: 100, loginPerAccountAllAddresses: 100 },
    })
    try {
      const { email } = await auth.account()
      const ip = uniqueIp()
      for (const attempt of [email, uniqueEmail(), uniqueEmail().replace('@', '')]) {
        await expect(
          service.login({ email: attempt, password: 'a wrong password' }, ip),
        ).rejects.toMatchObject({
          code: 'INVALID_CREDENTIALS',
        })
      }
      expect(verifications.kinds).toEqual(['account', 'dummy', 'dummy'])
    } finally {
      await close()
    }
  })

  it('stores an argon2id hash, never the password', async () => {
    const { email } = await auth.account()
    const [row] = await database.db.select().from(users).where(eq(users.email, email))
    expect(row?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
    expect(row?.passwordHash).not.toContain(PASSWORD)
  })
})

describe('bad inputs get a clear 4xx code and change nothing', () => {
  const cases: [name: string, payload: unknown, status: number, code: string][] = [
    ['a short password', { email: uniqueEmail(), password: 'elevenchars' }, 400, 'PASSWORD_TOO_SHORT'],
    ['an invalid e-mail', { email: 'not-an-email', password: PASSWORD }, 400, 'EMAIL_INVALID'],
    ['an e-mail with a space', { email: `a ${uniqueEmail()}`, password: PASSWORD }, 400, 'EMAIL_INVALID'],
    ['no password', { email: uniqueEmail() }, 400, 'VALIDATION_FAILED'],
    [
      'an unknown field',
      { email: uniqueEmail(), password: PASSWORD, role: 'admin' },
      400,
      'VALIDATION_FAILED',
    ],
    [
      'a password too long to hash',
      { email: uniqueEmail(), password: 'x'.repeat(257) },
      400,
      'VALIDATION_FAILED',
    ],
    [
      'an e-mail too long',
      { email: `${'a'.repeat(250)}@example.com`, password: PASSWORD },
      400,
      'VALIDATION_FAILED',
    ],
  ]

  it.each(cases)('refuses a registration with %s', async (_name, payload, status, code) => {
    const answer = await auth.post('/auth/register', payload)
    expect(answer.statusCode).toBe(status)
    expect(answer.json().error.code).toBe(code)
    const email = (payload as { email?: string }).email?.toLowerCase() ?? ''
    expect(await database.db.select().from(users).where(eq(users.email, email))).toHaveLength(0)
  })

  it('refuses a duplicate e-mail with 409, whatever its case, also when two registrations race', async () => {
    const email = uniqueEmail()
    const answers = await Promise.all([auth.register(email), auth.register(email.toUpperCase())])
    expect(answers.map((answer) => answer.statusCode).sort()).toEqual([201, 409])
    const again = await auth.register(` ${email.toUpperCase()}`)
    expect(again.statusCode).toBe(409)
    expect(again.json().error.code).toBe('EMAIL_TAKEN')
    expect(await database.db.select().from(users).where(eq(users.email, email))).toHaveLength(1)
  })

  it('refuses an oversized body with 413 and a text body with 415', async () => {
    const huge = await auth.post('/auth/login', { email: 'a@example.com', password: 'x'.repeat(70 * 1024) })
    expect(huge.statusCode).toBe(413)
    expect(huge.json().error.code).toBe('PAYLOAD_TOO_LARGE')
    const text = await auth.app.inject({
      method: 'POST',
      url: '/auth/login',
      headers: { 'content-type': 'text/plain' },
      payload: 'email=a',
    })
    expect(text.statusCode).toBe(415)
    expect(text.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE')
  })

  it('refuses a NUL or invalid UTF-8 in an e-mail with 400 INVALID_TEXT (a 500 before)', async () => {
    for (const email of ['a\u0000@example.com', 'a\uFFFD@example.com']) {
      for (const url of ['/auth/login', '/auth/register']) {
        const answer = await auth.post(url, { email, password: PASSWORD })
        expect(answer.statusCode, `${url} ${JSON.stringify(email)}`).toBe(400)
        expect(answer.json().error).toMatchObject({ code: 'INVALID_TEXT', details: { field: 'body/email' } })
      }
    }
  })

  it('refuses a refresh or log-out without a token', async () => {
    for (const url of ['/auth/refresh', '/auth/logout']) {
      const answer = await auth.post(url, {})
      expect(answer.statusCode).toBe(400)
      expect(answer.json().error.code).toBe('VALIDATION_FAILED')
    }
    const me = await auth.app.inject({ method: 'GET', url: '/auth/me' })
    expect(me.statusCode).toBe(401)
    expect(me.json().error.code).toBe('AUTH_TOKEN_MISSING')
  })
})
