import { createPublicKey, type KeyObject } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { isValidId } from '@bookstore/events'
import { errors, jwtVerify } from 'jose'
import { AppError } from './errors'

export type Role = 'customer' | 'admin'
export interface AuthUser {
  id: string
  role: Role
}

export interface TokenVerifierOptions {
  publicKey: KeyObject
  issuer: string
  audience: string
  /** How many verified tokens to remember (a token is re-verified only after it leaves the cache). */
  cacheSize?: number
}

const invalid = () => new AppError(401, 'AUTH_TOKEN_INVALID', 'The access token is not valid')

/** Reads the public key from JWT_PUBLIC_KEY (PEM) or JWT_PUBLIC_KEY_FILE. */
export function readPublicKey(config: {
  JWT_PUBLIC_KEY?: string | undefined
  JWT_PUBLIC_KEY_FILE?: string | undefined
}) {
  const pem =
    config.JWT_PUBLIC_KEY ?? (config.JWT_PUBLIC_KEY_FILE && readFileSync(config.JWT_PUBLIC_KEY_FILE, 'utf8'))
  if (!pem) throw new Error('Set JWT_PUBLIC_KEY (PEM) or JWT_PUBLIC_KEY_FILE to verify access tokens')
  return createPublicKey(pem.replaceAll('\\n', '\n'))
}

/**
 * Verifies access tokens locally with the public key (SPEC A3): EdDSA or ES256 only (never `none`),
 * issuer and audience checked, subject usable as an id. A signature check costs far more than the
 * cart operation it guards, so verified tokens are remembered until they expire.
 */
export function createTokenVerifier(options: TokenVerifierOptions) {
  const cacheSize = options.cacheSize ?? 10_000
  const verified = new Map<string, { user: AuthUser; expiresAt: number }>()

  async function verifyUncached(token: string) {
    try {
      const { payload } = await jwtVerify(token, options.publicKey, {
        algorithms: ['EdDSA', 'ES256'],
        issuer: options.issuer,
        audience: options.audience,
        requiredClaims: ['sub', 'exp'],
      })
      const role = payload.role ?? 'customer'
      if (typeof payload.sub !== 'string' || !isValidId(payload.sub)) throw invalid()
      if (role !== 'customer' && role !== 'admin') throw invalid()
      return { user: { id: payload.sub, role } as AuthUser, expiresAt: (payload.exp ?? 0) * 1000 }
    } catch (error) {
      if (error instanceof errors.JWTExpired)
        throw new AppError(401, 'AUTH_TOKEN_EXPIRED', 'The access token has expired')
      if (error instanceof AppError) throw error
      throw invalid()
    }
  }

  return async function verify(token: string): Promise<AuthUser> {
    const hit = verified.get(token)
    if (hit && hit.expiresAt > Date.now()) return hit.user
    if (hit) verified.delete(token)
    const entry = await verifyUncached(token)
    if (verified.size >= cacheSize) verified.delete(verified.keys().next().value as string)
    verified.set(token, entry)
    return entry.user
  }
}
export type TokenVerifier = ReturnType<typeof createTokenVerifier>
