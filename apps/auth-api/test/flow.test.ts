import { refreshTokens } from '@bookstore/db'
import { openTestDatabase, type TestDatabase } from '@bookstore/test-kit'
import { eq } from 'drizzle-orm'
import { decodeJwt, decodeProtectedHeader } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashToken } from '../src/domain/refresh-tokens'
import { startCartApi } from './cart-api'
import { PASSWORD, type Session, startAuthApi, type TestAuthApi, uniqueEmail } from './harness'

let database: TestDatabase
let auth: TestAuthApi
let cart: Awaited<ReturnType<typeof startCartApi>>

beforeAll(async () => {
  database = await openTestDatabase()
  auth = await startAuthApi(database.url)
  cart = await startCartApi(auth.keys.publicKeyPem)
})
afterAll(async () => {
  await cart?.close()
  await auth?.close()
  await database?.drop()
})

const me = (accessToken: string) =>
  auth.app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${accessToken}` } })

describe('register, log in, shop, refresh, log out (SPEC A1, A3, C6)', () => {
  it('walks the whole flow, and a reused refresh token revokes the family', async () => {
    const email = uniqueEmail()
    const registered = await auth.register(`  ${email.toUpperCase()} `)
    expect(registered.statusCode).toBe(201)
    const user = registered.json()
    expect(user).toMatchObject({ email, role: 'customer' })
    expect(registered.body).not.toContain('password')

    const login = await auth.login(email.toUpperCase())
    expect(login.statusCode).toBe(200)
    expect(login.headers['cache-control']).toBe('no-store')
    const first = login.json() as Session
    expect(first).toMatchObject({
      tokenType: 'Bearer',
      expiresIn: 900,
      user: { id: user.id, role: 'customer' },
    })
    expect(decodeProtectedHeader(first.accessToken)).toMatchObject({ alg: 'EdDSA', kid: expect.any(String) })
    expect(decodeJwt(first.accessToken)).toMatchObject({
      sub: user.id,
      role: 'customer',
      iss: 'bookstore-auth',
      aud: 'bookstore',
    })
    expect((await me(first.accessToken)).json()).toEqual(user)

    // cart-api verifies the token locally, with the public key alone.
    const book = await cart.seedBook()
    const added = await cart.addItem(first.accessToken, book.bookId, 2)
    expect(added.statusCode).toBe(200)
    expect(added.json()).toMatchObject({ userId: user.id, itemCount: 2 })

    // Refresh: a new pair; the new access token works too.
    const refreshed = await auth.refresh(first.refreshToken)
    expect(refreshed.statusCode).toBe(200)
    const second = refreshed.json() as Session
    expect(second.refreshToken).not.toBe(first.refreshToken)
    expect((await cart.getCart(second.accessToken)).json()).toMatchObject({ userId: user.id, itemCount: 2 })

    // The spent token again: stolen-token detection revokes the family, the newer token with it.
    const reuse = await auth.refresh(first.refreshToken)
    expect(reuse.statusCode).toBe(401)
    expect(reuse.json().error.code).toBe('REFRESH_TOKEN_REUSED')
    const afterReuse = await auth.refresh(second.refreshToken)
    expect(afterReuse.statusCode).toBe(401)
    expect(afterReuse.json().error.code).toBe('REFRESH_TOKEN_REVOKED')

    const metrics = await auth.app.inject({ method: 'GET', url: '/metrics' })
    expect(metrics.body).toMatch(/auth_refusals_total\{code="REFRESH_TOKEN_REUSED",service="auth-api"\} 1/)

    // A new log-in is a new family, unaffected; logging out ends it, and only it.
    const laptop = (await auth.login(email)).json() as Session
    const phone = (await auth.login(email)).json() as Session
    const loggedOut = await auth.logout(laptop.refreshToken)
    expect(loggedOut.statusCode).toBe(204)
    expect((await auth.refresh(laptop.refreshToken)).json().error.code).toBe('REFRESH_TOKEN_REVOKED')
    expect((await auth.logout(laptop.refreshToken)).statusCode).toBe(204)
    expect((await auth.refresh(phone.refreshToken)).statusCode).toBe(200)
  })

  it('lets exactly one of several concurrent refreshes with one token win, then revokes the family', async () => {
    const session = await auth.account()
    const answers = await Promise.all(Array.from({ length: 5 }, () => auth.refresh(session.refreshToken)))
    const winners = answers.filter((answer) => answer.statusCode === 200)
    expect(winners).toHaveLength(1)
    // The first loser detects the reuse and revokes the family; any later one finds it revoked.
    const losers = answers.filter((answer) => answer.statusCode !== 200)
    expect(losers.map((loser) => loser.statusCode)).toEqual([401, 401, 401, 401])
    const codes = losers.map((loser) => loser.json().error.code)
    expect(codes).toContain('REFRESH_TOKEN_REUSED')
    for (const code of codes) expect(['REFRESH_TOKEN_REUSED', 'REFRESH_TOKEN_REVOKED']).toContain(code)
    const winner = winners[0]?.json() as Session
    expect((await auth.refresh(winner.refreshToken)).json().error.code).toBe('REFRESH_TOKEN_REVOKED')
  })

  it('stores only hashes of refresh tokens and refuses expired and unknown ones', async () => {
    const session = await auth.account()
    const rows = await database.db
      .select()
      .from(refreshTokens)
      .where(eq(refreshTokens.userId, session.user.id))
    expect(rows).toHaveLength(1)
    expect(rows[0]?.tokenHash).toBe(hashToken(session.refreshToken))
    expect(JSON.stringify(rows)).not.toContain(session.refreshToken)

    await database.db
      .update(refreshTokens)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(refreshTokens.userId, session.user.id))
    const expired = await auth.refresh(session.refreshToken)
    expect(expired.statusCode).toBe(401)
    expect(expired.json().error.code).toBe('REFRESH_TOKEN_EXPIRED')

    // The next log-in clears the user's expired rows; the token stays refused.
    const next = (await auth.login(session.email)).json() as Session
    const left = await database.db
      .select()
      .from(refreshTokens)
      .where(eq(refreshTokens.userId, session.user.id))
    expect(left.map((row) => row.tokenHash)).toEqual([hashToken(next.refreshToken)])
    expect((await auth.refresh(session.refreshToken)).json().error.code).toBe('REFRESH_TOKEN_INVALID')

    const unknown = await auth.refresh('not-a-token-we-issued')
    expect(unknown.statusCode).toBe(401)
    expect(unknown.json().error.code).toBe('REFRESH_TOKEN_INVALID')
  })

  it("makes cart-api refuse auth-api's tokens when tampered with or signed by a key it does not list", async () => {
    const session = await auth.account()
    const [header, payload, signature] = session.accessToken.split('.')
    const claims = { ...decodeJwt(session.accessToken), role: 'admin' }
    const tampered = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`
    const unknownKid = `${Buffer.from(JSON.stringify({ alg: 'EdDSA', kid: 'someone-else' })).toString('base64url')}.${payload}.${signature}`
    for (const token of [tampered, unknownKid]) {
      const answer = await cart.getCart(token)
      expect(answer.statusCode).toBe(401)
      expect(answer.json().error.code).toBe('AUTH_TOKEN_INVALID')
    }
    const otherAuth = await startAuthApi(database.url)
    try {
      const foreign = await otherAuth.account()
      const answer = await cart.getCart(foreign.accessToken)
      expect(answer.statusCode).toBe(401)
      expect(answer.json().error.code).toBe('AUTH_TOKEN_INVALID')
    } finally {
      await otherAuth.close()
    }
    expect((await me('garbage')).json().error.code).toBe('AUTH_TOKEN_INVALID')
  })
})

describe('the first admin (SPEC A4)', () => {
  it('is created from ADMIN_EMAIL and ADMIN_PASSWORD on start, once, and may read any cart', async () => {
    const email = uniqueEmail()
    const env = { ADMIN_EMAIL: email, ADMIN_PASSWORD: PASSWORD }
    const first = await startAuthApi(database.url, env)
    const second = await startAuthApi(database.url, env)
    try {
      const admin = (await second.login(email)).json() as Session
      expect(admin.user.role).toBe('admin')
      expect(decodeJwt(admin.accessToken).role).toBe('admin')

      const shopper = await first.account()
      const adminCart = await startCartApi(`${first.keys.publicKeyPem}${second.keys.publicKeyPem}`)
      try {
        const peek = await adminCart.app.inject({
          method: 'GET',
          url: `/admin/carts/${shopper.user.id}`,
          headers: { authorization: `Bearer ${admin.accessToken}` },
        })
        expect(peek.statusCode).toBe(200)
        const refused = await adminCart.app.inject({
          method: 'GET',
          url: `/admin/carts/${admin.user.id}`,
          headers: { authorization: `Bearer ${shopper.accessToken}` },
        })
        expect(refused.statusCode).toBe(403)
      } finally {
        await adminCart.close()
      }
    } finally {
      await first.close()
      await second.close()
    }
  })
})
