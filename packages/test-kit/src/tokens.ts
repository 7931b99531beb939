import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import { createSigner } from 'fast-jwt'

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
export async function signTestToken(key: KeyObject, userId: string, options: TokenOptions = {}) {
  const now = Math.floor(Date.now() / 1000)
  const sign = createSigner({
    key: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
    algorithm: 'EdDSA',
    kid: options.kid,
  })
  return sign({
    role: options.role ?? 'customer',
    sub: userId,
    iss: options.issuer ?? 'bookstore-auth',
    aud: options.audience ?? 'bookstore',
    iat: now,
    exp: now + (options.expiresIn ?? 900),
  })
}
