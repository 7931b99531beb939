import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { calculateJwkThumbprint, exportJWK, SignJWT } from 'jose'
import { afterAll, describe, expect, it } from 'vitest'
import { createTokenVerifier, DomainError, keyIdOf, readPublicKeys, type VerificationKeys } from '../src'

const pair = (type: 'ed25519' | 'p256' = 'ed25519') => {
  const { privateKey, publicKey } =
    type === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' })
  return {
    privateKey,
    publicKey,
    pem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    kid: keyIdOf(publicKey),
    alg: type === 'ed25519' ? 'EdDSA' : 'ES256',
  }
}
type Pair = ReturnType<typeof pair>

const sign = (key: Pair, header: { kid?: string } = { kid: key.kid }) =>
  new SignJWT({ role: 'customer' })
    .setProtectedHeader({ alg: key.alg, ...header })
    .setSubject('alice')
    .setIssuer('bookstore-auth')
    .setAudience('bookstore')
    .setExpirationTime('5m')
    .sign(key.privateKey)

const verifier = (publicKey: KeyObject | VerificationKeys) =>
  createTokenVerifier({ publicKey, issuer: 'bookstore-auth', audience: 'bookstore' })

async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  if (!(error instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(error)}`)
  return error.code
}

const dir = mkdtempSync(join(tmpdir(), 'token-verifier-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('key rotation by key id (SPEC A3)', () => {
  const old = pair()
  const current = pair()

  it('accepts tokens of every listed key, chosen by kid, and refuses a key once it is unlisted', async () => {
    const both = verifier(readPublicKeys({ JWT_PUBLIC_KEY: `${old.pem}${current.pem}` }))
    expect(await both(await sign(old))).toEqual({ id: 'alice', role: 'customer' })
    expect(await both(await sign(current))).toEqual({ id: 'alice', role: 'customer' })

    const afterRotation = verifier(readPublicKeys({ JWT_PUBLIC_KEY: current.pem }))
    expect(await afterRotation(await sign(current))).toEqual({ id: 'alice', role: 'customer' })
    expect(await refusal(afterRotation(await sign(old)))).toBe('AUTH_TOKEN_INVALID')
  })

  it('refuses an unknown kid, a kid naming another listed key, and a token without kid among several keys', async () => {
    const both = verifier(readPublicKeys({ JWT_PUBLIC_KEY: `${old.pem}${current.pem}` }))
    expect(await refusal(both(await sign(old, { kid: 'nope' })))).toBe('AUTH_TOKEN_INVALID')
    expect(await refusal(both(await sign(old, { kid: current.kid })))).toBe('AUTH_TOKEN_INVALID')
    expect(await refusal(both(await sign(old, {})))).toBe('AUTH_TOKEN_INVALID')
    // With a single key, a token without kid is still accepted (older tokens, dev tokens).
    expect(await verifier(old.publicKey)(await sign(old, {}))).toEqual({ id: 'alice', role: 'customer' })
  })

  it('reads a PEM bundle file and a JWKS file (with its own kids), merged', async () => {
    const p256 = pair('p256')
    const pemFile = join(dir, 'keys.pem')
    writeFileSync(pemFile, `${old.pem}\n${p256.pem}`)
    const jwksFile = join(dir, 'jwks.json')
    writeFileSync(
      jwksFile,
      JSON.stringify({ keys: [{ ...(await exportJWK(current.publicKey)), kid: 'k-2026' }] }),
    )
    const keys = readPublicKeys({ JWT_PUBLIC_KEY_FILE: pemFile, JWT_JWKS_FILE: jwksFile })
    expect([...keys.keys()].sort()).toEqual([old.kid, p256.kid, 'k-2026'].sort())
    const verify = verifier(keys)
    expect(await verify(await sign(p256))).toMatchObject({ id: 'alice' })
    expect(await verify(await sign(current, { kid: 'k-2026' }))).toMatchObject({ id: 'alice' })
    expect(await refusal(verify(await sign(current)))).toBe('AUTH_TOKEN_INVALID')
  })

  it('derives the kid from the key itself (RFC 7638), the same in every app', async () => {
    expect([...readPublicKeys({ JWT_PUBLIC_KEY: old.pem }).keys()]).toEqual([old.kid])
    expect(old.kid).toBe(await calculateJwkThumbprint(await exportJWK(old.publicKey)))
    expect(keyIdOf(old.publicKey)).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(keyIdOf(old.publicKey)).not.toBe(keyIdOf(current.publicKey))
  })

  it('refuses to start without a key, or with a key of another kind', () => {
    expect(() => readPublicKeys({})).toThrow(/JWT_PUBLIC_KEY/)
    expect(() => readPublicKeys({ JWT_PUBLIC_KEY: 'not a pem' })).toThrow(/no "BEGIN PUBLIC KEY"/)
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey
    expect(() =>
      readPublicKeys({ JWT_PUBLIC_KEY: rsa.export({ type: 'spki', format: 'pem' }).toString() }),
    ).toThrow(/Ed25519 or P-256/)
  })
})
