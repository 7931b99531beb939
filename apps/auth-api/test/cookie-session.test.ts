import { openTestDatabase, type TestDatabase } from '@bookstore/test-kit'
import { decodeJwt } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { REFRESH_COOKIE } from '../src/routes/cookie-session-routes'
import { PASSWORD, startAuthApi, type TestAuthApi, uniqueEmail } from './harness'

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

type Answer = Awaited<ReturnType<TestAuthApi['post']>>
const csrf = { 'x-requested-with': 'test' }

const refreshCookie = (answer: Answer) => {
  const cookies = answer.cookies.filter((cookie) => cookie.name === REFRESH_COOKIE)
  expect(cookies).toHaveLength(1)
  return cookies[0] as (typeof cookies)[number]
}

async function cookieLogin(api: TestAuthApi = auth, headers: Record<string, string> = {}) {
  const email = uniqueEmail()
  expect((await api.register(email)).statusCode).toBe(201)
  const answer = await api.app.inject({
    method: 'POST',
    url: '/auth/session',
    payload: { email, password: PASSWORD },
    remoteAddress: api.ip,
    headers,
  })
  return { email, answer }
}

const refresh = (cookie: string | undefined, headers: Record<string, string> = csrf, api = auth) =>
  api.app.inject({
    method: 'POST',
    url: '/auth/session/refresh',
    headers: { ...headers, ...(cookie === undefined ? {} : { cookie: `${REFRESH_COOKIE}=${cookie}` }) },
  })

const logout = (cookie: string | undefined, headers: Record<string, string> = csrf) =>
  auth.app.inject({
    method: 'POST',
    url: '/auth/session/logout',
    headers: { ...headers, ...(cookie === undefined ? {} : { cookie: `${REFRESH_COOKIE}=${cookie}` }) },
  })

const me = (accessToken: string) =>
  auth.app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${accessToken}` } })

describe('cookie mode: the refresh token only in an httpOnly cookie (web shop)', () => {
  it('logs in with the access token in the body and the refresh token in a strict, scoped cookie', async () => {
    const { email, answer } = await cookieLogin()
    expect(answer.statusCode).toBe(200)
    expect(answer.headers['cache-control']).toBe('no-store')
    const body = answer.json()
    expect(Object.keys(body).sort()).toEqual([
      'accessToken',
      'expiresIn',
      'refreshExpiresIn',
      'tokenType',
      'user',
    ])
    expect(body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, refreshExpiresIn: 2_592_000 })
    const cookie = refreshCookie(answer)
    expect(cookie).toMatchObject({
      httpOnly: true,
      sameSite: 'Strict',
      path: '/auth/session',
      maxAge: 2_592_000,
    })
    expect(cookie.secure).toBeUndefined()
    expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(answer.body).not.toContain(cookie.value)
    expect((await me(body.accessToken)).json()).toMatchObject({ email, role: 'customer' })
  })

  it('refuses wrong credentials as the body mode does, and sets no cookie', async () => {
    const { email } = await cookieLogin()
    const answer = await auth.app.inject({
      method: 'POST',
      url: '/auth/session',
      payload: { email, password: 'not the password at all' },
      remoteAddress: auth.ip,
    })
    expect(answer.statusCode).toBe(401)
    expect(answer.json().error.code).toBe('INVALID_CREDENTIALS')
    expect(answer.headers['set-cookie']).toBeUndefined()
  })

  it('rotates the cookie on refresh; the spent cookie again revokes the session and is cleared', async () => {
    const { answer } = await cookieLogin()
    const first = refreshCookie(answer).value
    const refreshed = await refresh(first)
    expect(refreshed.statusCode).toBe(200)
    expect(refreshed.headers['cache-control']).toBe('no-store')
    expect(refreshed.json()).not.toHaveProperty('refreshToken')
    const second = refreshCookie(refreshed)
    expect(second.value).not.toBe(first)
    expect(second).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/auth/session' })
    expect(decodeJwt(refreshed.json().accessToken).sub).toBe(answer.json().user.id)

    const reused = await refresh(first)
    expect(reused.statusCode).toBe(401)
    expect(reused.json().error.code).toBe('REFRESH_TOKEN_REUSED')
    expect(refreshCookie(reused)).toMatchObject({ value: '', maxAge: 0, path: '/auth/session' })
    const revoked = await refresh(second.value)
    expect(revoked.json().error.code).toBe('REFRESH_TOKEN_REVOKED')
    // The body mode sees the same session: one set of rows, two transports.
    expect((await auth.refresh(second.value)).json().error.code).toBe('REFRESH_TOKEN_REVOKED')
  })

  it('refuses a refresh or log-out without the CSRF header, and spends nothing', async () => {
    const { answer } = await cookieLogin()
    const token = refreshCookie(answer).value
    for (const refused of [await refresh(token, {}), await logout(token, {})]) {
      expect(refused.statusCode).toBe(403)
      expect(refused.json().error.code).toBe('CSRF_HEADER_MISSING')
      expect(refused.headers['set-cookie']).toBeUndefined()
    }
    expect((await refresh(token)).statusCode).toBe(200)
  })

  it('answers a refresh without a cookie or with an unknown one with 401 and a code', async () => {
    const missing = await refresh(undefined)
    expect(missing.statusCode).toBe(401)
    expect(missing.json().error.code).toBe('REFRESH_TOKEN_MISSING')
    const unknown = await refresh('not-a-token-we-issued')
    expect(unknown.statusCode).toBe(401)
    expect(unknown.json().error.code).toBe('REFRESH_TOKEN_INVALID')
    expect(refreshCookie(unknown).maxAge).toBe(0)
  })

  it('logs out: the session is revoked and the cookie cleared; again, or without a cookie, is still 204', async () => {
    const { answer } = await cookieLogin()
    const token = refreshCookie(answer).value
    const out = await logout(token)
    expect(out.statusCode).toBe(204)
    expect(refreshCookie(out)).toMatchObject({ value: '', maxAge: 0, path: '/auth/session' })
    expect((await refresh(token)).json().error.code).toBe('REFRESH_TOKEN_REVOKED')
    expect((await logout(token)).statusCode).toBe(204)
    expect((await logout(undefined)).statusCode).toBe(204)
  })

  it('marks the cookie Secure over https and scopes it to the configured path (behind the gateway)', async () => {
    const behindProxy = await startAuthApi(database.url, {
      // The harness' client addresses are unique-local IPv6 ones; inject's default is 127.0.0.1.
      TRUST_PROXY: '127.0.0.1,fd00::/8',
      REFRESH_COOKIE_PATH: '/api/auth/auth/session',
    })
    try {
      const overHttps = await cookieLogin(behindProxy, { 'x-forwarded-proto': 'https' })
      expect(refreshCookie(overHttps.answer)).toMatchObject({ secure: true, path: '/api/auth/auth/session' })
      const overHttp = await cookieLogin(behindProxy)
      expect(refreshCookie(overHttp.answer).secure).toBeUndefined()
      const token = refreshCookie(overHttps.answer).value
      const refreshed = await refresh(token, { ...csrf, 'x-forwarded-proto': 'https' }, behindProxy)
      expect(refreshCookie(refreshed)).toMatchObject({ secure: true, path: '/api/auth/auth/session' })
    } finally {
      await behindProxy.close()
    }
    const always = await startAuthApi(database.url, { REFRESH_COOKIE_SECURE: 'always' })
    try {
      expect(refreshCookie((await cookieLogin(always)).answer).secure).toBe(true)
    } finally {
      await always.close()
    }
  })

  it('refuses a cookie path that could break the Set-Cookie header at boot', async () => {
    await expect(
      startAuthApi(database.url, { REFRESH_COOKIE_PATH: '/auth; Domain=evil.example' }),
    ).rejects.toThrow(/REFRESH_COOKIE_PATH/)
    await expect(startAuthApi(database.url, { REFRESH_COOKIE_SECURE: 'sometimes' })).rejects.toThrow(
      /REFRESH_COOKIE_SECURE/,
    )
  })
})
