import { generateTestKeys, signTestToken, uniqueId } from '@bookstore/test-kit'
import { SignJWT, UnsecuredJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { asCart, startCartApi, type TestCartApi } from './harness'

let api: TestCartApi
beforeAll(async () => {
  api = await startCartApi()
})
afterAll(() => api.close())

const getCart = (authorization?: string) =>
  api.app.inject({ method: 'GET', url: '/cart', headers: authorization ? { authorization } : {} })

describe('who may see and change a cart (SPEC C6, A3)', () => {
  const refused: [name: string, header: () => Promise<string | undefined>, code: string][] = [
    ['no token', async () => undefined, 'AUTH_TOKEN_MISSING'],
    [
      'not a bearer token',
      async () => `Basic ${Buffer.from('a:b').toString('base64')}`,
      'AUTH_TOKEN_INVALID',
    ],
    ['garbage', async () => 'Bearer not.a.jwt', 'AUTH_TOKEN_INVALID'],
    [
      'tampered payload',
      async () => {
        const [header, , signature] = (await api.token('alice')).split('.')
        const payload = Buffer.from(JSON.stringify({ sub: 'mallory', role: 'admin' })).toString('base64url')
        return `Bearer ${header}.${payload}.${signature}`
      },
      'AUTH_TOKEN_INVALID',
    ],
    ['expired', async () => `Bearer ${await api.token('alice', { expiresIn: -60 })}`, 'AUTH_TOKEN_EXPIRED'],
    [
      'signed by another key',
      async () => `Bearer ${await signTestToken(generateTestKeys().privateKey, 'alice')}`,
      'AUTH_TOKEN_INVALID',
    ],
    [
      'a kid naming no listed key (e.g. a retired one)',
      async () => `Bearer ${await api.token('alice', { kid: 'retired-key' })}`,
      'AUTH_TOKEN_INVALID',
    ],
    [
      'alg none',
      async () =>
        `Bearer ${new UnsecuredJWT({ role: 'admin' }).setSubject('alice').setIssuer('bookstore-auth').setAudience('bookstore').setExpirationTime('1h').encode()}`,
      'AUTH_TOKEN_INVALID',
    ],
    [
      'wrong audience',
      async () => `Bearer ${await api.token('alice', { audience: 'other' })}`,
      'AUTH_TOKEN_INVALID',
    ],
    [
      'wrong issuer',
      async () => `Bearer ${await api.token('alice', { issuer: 'evil' })}`,
      'AUTH_TOKEN_INVALID',
    ],
    [
      'unknown role',
      async () => `Bearer ${await api.token('alice', { role: 'root' })}`,
      'AUTH_TOKEN_INVALID',
    ],
    ['subject with a hash tag', async () => `Bearer ${await api.token('a{b}')}`, 'AUTH_TOKEN_INVALID'],
    [
      'no expiry',
      async () =>
        `Bearer ${await new SignJWT({})
          .setProtectedHeader({ alg: 'EdDSA' })
          .setSubject('alice')
          .setIssuer('bookstore-auth')
          .setAudience('bookstore')
          .sign(api.keys.privateKey)}`,
      'AUTH_TOKEN_INVALID',
    ],
  ]

  it.each(refused)('refuses %s with 401', async (_name, header, code) => {
    const response = await getCart(await header())
    expect(response.statusCode).toBe(401)
    expect(response.json().error.code).toBe(code)
  })

  it('refuses mutations without a valid token and changes nothing', async () => {
    const book = await api.seedBook()
    const response = await api.app.inject({
      method: 'POST',
      url: '/cart/items',
      payload: { bookId: book.bookId },
    })
    expect(response.statusCode).toBe(401)
  })

  it("never shows or changes another shopper's cart", async () => {
    const alice = await api.shopper()
    const bob = await api.shopper()
    const book = await api.seedBook()
    await api.app.inject({
      method: 'POST',
      url: '/cart/items',
      headers: alice.auth,
      payload: { bookId: book.bookId },
    })

    const bobsView = asCart((await api.app.inject({ method: 'GET', url: '/cart', headers: bob.auth })).body)
    expect(bobsView).toMatchObject({ userId: bob.userId, version: 0, items: [] })
    // Bob clearing "the cart" clears his own, never Alice's.
    await api.app.inject({ method: 'DELETE', url: '/cart', headers: bob.auth })
    const alicesCart = asCart(
      (await api.app.inject({ method: 'GET', url: '/cart', headers: alice.auth })).body,
    )
    expect(alicesCart).toMatchObject({ userId: alice.userId, version: 1, itemCount: 1 })
    // and the admin route is closed to customers
    const peek = await api.app.inject({
      method: 'GET',
      url: `/admin/carts/${alice.userId}`,
      headers: bob.auth,
    })
    expect(peek.statusCode).toBe(403)
    expect(peek.json().error.code).toBe('FORBIDDEN')
  })

  it("lets an admin read any shopper's cart", async () => {
    const alice = await api.shopper()
    const book = await api.seedBook({ priceCents: 1234 })
    await api.app.inject({
      method: 'POST',
      url: '/cart/items',
      headers: alice.auth,
      payload: { bookId: book.bookId },
    })
    const admin = await api.shopper({ role: 'admin' })
    const response = await api.app.inject({
      method: 'GET',
      url: `/admin/carts/${alice.userId}`,
      headers: admin.auth,
    })
    expect(response.statusCode).toBe(200)
    expect(asCart(response.body)).toMatchObject({ userId: alice.userId, totalCents: 1234 })
    const badId = await api.app.inject({
      method: 'GET',
      url: `/admin/carts/${uniqueId('x')}{y}`,
      headers: admin.auth,
    })
    expect(badId.statusCode).toBe(400)
  })
})
