import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import { SignJWT } from 'jose'

export interface TestKeys {
  privateKey: KeyObject
  /** The private key as auth-api reads it (PKCS#8 PEM, JWT_PRIVATE_KEY). */
  privateKeyPem: string
  publicKeyPem: string
}

export function generateTestKeys(): TestKeys {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  return {
    privateKey,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  }
}

export interface TokenOptions {
  role?: 'customer' | 'admin' | string
  issuer?: string
  audience?: string
  /** Seconds from now; negative for an expired token. */
  expiresIn?: number
  /** The `kid` header (auth-api always sets one; verifiers listing one key accept none). */
  kid?: string
}

/** Signs an access token the way auth-api does (EdDSA, iss, aud, sub, role, exp; kid if given). */
export function signTestToken(key: KeyObject, userId: string, options: TokenOptions = {}) {
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT({ role: options.role ?? 'customer' })
    .setProtectedHeader(options.kid === undefined ? { alg: 'EdDSA' } : { alg: 'EdDSA', kid: options.kid })
    .setSubject(userId)
    .setIssuer(options.issuer ?? 'bookstore-auth')
    .setAudience(options.audience ?? 'bookstore')
    .setIssuedAt(now)
    .setExpirationTime(now + (options.expiresIn ?? 900))
    .sign(key)
}
