import { openTestDatabase, type TestDatabase } from '@bookstore/test-kit'
import { decodeProtectedHeader } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startCartApi } from './cart-api'
import { type Session, startAuthApi } from './harness'

let database: TestDatabase
beforeAll(async () => {
  database = await openTestDatabase()
})
afterAll(() => database?.drop())

describe('signing-key rotation by key id (SPEC A3)', () => {
  it('keeps tokens of the old key valid while it is listed, and not after', async () => {
    const before = await startAuthApi(database.url)
    // The new auth-api signs with a new key and still lists the old public key.
    const after = await startAuthApi(database.url, { JWT_PUBLIC_KEY: before.keys.publicKeyPem })
    const bothKeys = await startCartApi(`${before.keys.publicKeyPem}${after.keys.publicKeyPem}`)
    const newKeyOnly = await startCartApi(after.keys.publicKeyPem)
    try {
      const oldSession = await before.account()
      const oldKid = decodeProtectedHeader(oldSession.accessToken).kid
      // The session outlives the key: its refresh token, spent at the new auth-api, brings a new-key token.
      const renewed = (await after.refresh(oldSession.refreshToken)).json() as Session
      const newKid = decodeProtectedHeader(renewed.accessToken).kid
      expect(newKid).not.toBe(oldKid)

      const jwks = (await after.app.inject({ method: 'GET', url: '/auth/jwks.json' })).json()
      expect(jwks.keys.map((key: { kid: string }) => key.kid).sort()).toEqual([oldKid, newKid].sort())

      for (const token of [oldSession.accessToken, renewed.accessToken]) {
        expect((await bothKeys.getCart(token)).statusCode).toBe(200)
        const me = await after.app.inject({
          method: 'GET',
          url: '/auth/me',
          headers: { authorization: `Bearer ${token}` },
        })
        expect(me.statusCode).toBe(200)
      }
      expect((await newKeyOnly.getCart(renewed.accessToken)).statusCode).toBe(200)
      const dropped = await newKeyOnly.getCart(oldSession.accessToken)
      expect(dropped.statusCode).toBe(401)
      expect(dropped.json().error.code).toBe('AUTH_TOKEN_INVALID')
    } finally {
      await bothKeys.close()
      await newKeyOnly.close()
      await before.close()
      await after.close()
    }
  })
})
