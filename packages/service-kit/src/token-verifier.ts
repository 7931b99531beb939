import { createPublicKey, type JsonWebKey, KeyObject } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { isValidId } from '@bookstore/events'
import { createDecoder, createVerifier, TOKEN_ERROR_CODES } from 'fast-jwt'
import { DomainError, kitError } from './domain-error'
import { keyIdOf } from './key-id'

export type Role = 'customer' | 'admin'
export interface AuthUser {
  id: string
  role: Role
}

/** The public keys tokens may be signed with, by key id (the JWT header's `kid`). */
export type VerificationKeys = ReadonlyMap<string, KeyObject>

export interface TokenVerifierOptions {
  /** One key, or every key currently accepted (key rotation: old and new side by side). */
  publicKey: KeyObject | VerificationKeys
  issuer: string
  audience: string
  /** How many verified tokens to remember (a token is re-verified only after it leaves the cache). */
  cacheSize?: number
}

const invalid = () => kitError('AUTH_TOKEN_INVALID', 'The access token is not valid')

const PEM_BLOCK = /-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g

/** Every PUBLIC KEY block of a PEM text (one key, or a bundle of several during a rotation). */
export function parsePublicKeyPems(text: string): KeyObject[] {
  const blocks = text.replaceAll('\\n', '\n').match(PEM_BLOCK) ?? []
  return blocks.map((block) => createPublicKey(block))
}

function checkKeyType(key: KeyObject, where: string) {
  const type = key.asymmetricKeyType
  const curve = key.asymmetricKeyDetails?.namedCurve
  if (type === 'ed25519' || (type === 'ec' && curve === 'prime256v1')) return
  throw new Error(`${where}: access-token keys must be Ed25519 or P-256 (got ${type} ${curve ?? ''})`)
}

/** A JWKS document (`{ "keys": [...] }`): each key under its `kid`, or its thumbprint without one. */
export function parseJwks(text: string, where = 'JWKS'): Map<string, KeyObject> {
  const document: unknown = JSON.parse(text)
  const keys = (document as { keys?: unknown }).keys
  if (!Array.isArray(keys)) throw new Error(`${where} has no "keys" array`)
  const result = new Map<string, KeyObject>()
  for (const jwk of keys as (JsonWebKey & { kid?: string })[]) {
    const key = createPublicKey({ key: jwk, format: 'jwk' })
    checkKeyType(key, where)
    result.set(jwk.kid ?? keyIdOf(key), key)
  }
  return result
}

/** Keys from PEM text, each under its thumbprint. */
export function keysFromPem(text: string, where = 'PEM'): Map<string, KeyObject> {
  const result = new Map<string, KeyObject>()
  for (const key of parsePublicKeyPems(text)) {
    checkKeyType(key, where)
    result.set(keyIdOf(key), key)
  }
  if (result.size === 0) throw new Error(`${where} holds no "BEGIN PUBLIC KEY" block`)
  return result
}

export interface PublicKeyConfig {
  JWT_PUBLIC_KEY?: string | undefined
  JWT_PUBLIC_KEY_FILE?: string | undefined
  JWT_JWKS_FILE?: string | undefined
}

/**
 * Every accepted access-token key, from any of JWT_PUBLIC_KEY (PEM, one or more blocks),
 * JWT_PUBLIC_KEY_FILE (a file of one or more PEM blocks) and JWT_JWKS_FILE (a JWKS document).
 * All that are set are merged: to rotate, list the new key beside the old one everywhere, then
 * switch auth-api's signing key, then drop the old key once its last token has expired.
 */
export function readPublicKeys(config: PublicKeyConfig): VerificationKeys {
  const keys = new Map<string, KeyObject>()
  const add = (more: Map<string, KeyObject>) => {
    for (const [kid, key] of more) keys.set(kid, key)
  }
  if (config.JWT_PUBLIC_KEY) add(keysFromPem(config.JWT_PUBLIC_KEY, 'JWT_PUBLIC_KEY'))
  if (config.JWT_PUBLIC_KEY_FILE)
    add(keysFromPem(readFileSync(config.JWT_PUBLIC_KEY_FILE, 'utf8'), config.JWT_PUBLIC_KEY_FILE))
  if (config.JWT_JWKS_FILE) add(parseJwks(readFileSync(config.JWT_JWKS_FILE, 'utf8'), config.JWT_JWKS_FILE))
  if (keys.size === 0)
    throw new Error('Set JWT_PUBLIC_KEY (PEM), JWT_PUBLIC_KEY_FILE or JWT_JWKS_FILE to verify access tokens')
  return keys
}

function asKeySet(publicKey: KeyObject | VerificationKeys): VerificationKeys {
  if (publicKey instanceof KeyObject) return new Map([[keyIdOf(publicKey), publicKey]])
  return publicKey
}

/** The one algorithm each accepted key type signs with: a key never checks a token of another. */
const algorithmOf = (key: KeyObject) => (key.asymmetricKeyType === 'ed25519' ? 'EdDSA' : 'ES256')

/** fast-jwt reads keys as PEM, never as KeyObject. */
const pemOf = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }).toString()

const codeOf = (error: unknown) => (error as { code?: unknown } | null)?.code

/**
 * Verifies access tokens locally with the public keys (SPEC A3): EdDSA or ES256 only (never `none`),
 * the key chosen by the header's `kid` (a token without one is accepted only while a single key is
 * listed), issuer and audience checked, subject usable as an id. A signature check costs far more
 * than the cart operation it guards, so verified tokens are remembered until they expire.
 *
 * fast-jwt (the verifier under @fastify/jwt) checks them, one verifier per key made once: a key
 * function would re-read the PEM on every check. The cache is a Map keyed by the token itself, not
 * fast-jwt's, which hashes every token (SHA-512) before its lookup: README, "Dependencies".
 */
export function createTokenVerifier(options: TokenVerifierOptions) {
  const cacheSize = options.cacheSize ?? 10_000
  const keys = asKeySet(options.publicKey)
  const checkerOf = (key: KeyObject) =>
    createVerifier({
      key: pemOf(key),
      algorithms: [algorithmOf(key)],
      allowedIss: options.issuer,
      allowedAud: options.audience,
      requiredClaims: ['sub', 'exp'],
    })
  const checkers = new Map([...keys].map(([kid, key]) => [kid, checkerOf(key)]))
  const onlyChecker = checkers.size === 1 ? [...checkers.values()][0] : undefined
  const decodeHeader = createDecoder({ complete: true })
  const verified = new Map<string, { user: AuthUser; expiresAt: number }>()

  function verifyUncached(token: string) {
    try {
      const { header } = decodeHeader(token) as { header: { kid?: unknown } }
      const { kid } = header
      const check = kid === undefined ? onlyChecker : typeof kid === 'string' ? checkers.get(kid) : undefined
      if (!check) throw invalid()
      const payload = check(token) as { sub?: unknown; role?: unknown; exp: number }
      const role = payload.role ?? 'customer'
      if (typeof payload.sub !== 'string' || !isValidId(payload.sub)) throw invalid()
      if (role !== 'customer' && role !== 'admin') throw invalid()
      return { user: { id: payload.sub, role } as AuthUser, expiresAt: payload.exp * 1000 }
    } catch (error) {
      if (codeOf(error) === TOKEN_ERROR_CODES.expired)
        throw kitError('AUTH_TOKEN_EXPIRED', 'The access token has expired')
      if (error instanceof DomainError) throw error
      throw invalid()
    }
  }

  return async function verify(token: string): Promise<AuthUser> {
    const hit = verified.get(token)
    if (hit && hit.expiresAt > Date.now()) return hit.user
    if (hit) verified.delete(token)
    const entry = verifyUncached(token)
    if (verified.size >= cacheSize) verified.delete(verified.keys().next().value as string)
    verified.set(token, entry)
    return entry.user
  }
}
export type TokenVerifier = ReturnType<typeof createTokenVerifier>

export interface TokenVerifierConfig extends PublicKeyConfig {
  JWT_ISSUER: string
  JWT_AUDIENCE: string
}

/** The verifier every app builds from its validated config (`keys`: auth-api adds its own). */
export const tokenVerifierFromConfig = (
  config: TokenVerifierConfig,
  keys: VerificationKeys = readPublicKeys(config),
): TokenVerifier =>
  createTokenVerifier({ publicKey: keys, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE })
