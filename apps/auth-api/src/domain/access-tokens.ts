import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { keyIdOf } from '@bookstore/service-kit/key-id'
import { createSigner } from 'fast-jwt'
import type { TokenSubject } from './users'

export interface SigningKey {
  privateKey: KeyObject
  publicKey: KeyObject
  kid: string
  alg: 'EdDSA' | 'ES256'
}

/** The signing key from JWT_PRIVATE_KEY (PEM) or JWT_PRIVATE_KEY_FILE; Ed25519 or P-256 only. */
export function readSigningKey(config: {
  JWT_PRIVATE_KEY?: string | undefined
  JWT_PRIVATE_KEY_FILE?: string | undefined
  JWT_KEY_ID?: string | undefined
}): SigningKey {
  const pem =
    config.JWT_PRIVATE_KEY ??
    (config.JWT_PRIVATE_KEY_FILE && readFileSync(config.JWT_PRIVATE_KEY_FILE, 'utf8'))
  if (!pem) throw new Error('Set JWT_PRIVATE_KEY (PEM) or JWT_PRIVATE_KEY_FILE to sign access tokens')
  const privateKey = createPrivateKey(pem.replaceAll('\\n', '\n'))
  const type = privateKey.asymmetricKeyType
  const curve = privateKey.asymmetricKeyDetails?.namedCurve
  const alg = type === 'ed25519' ? 'EdDSA' : type === 'ec' && curve === 'prime256v1' ? 'ES256' : undefined
  if (!alg) throw new Error(`The signing key must be Ed25519 or P-256, not ${type} ${curve ?? ''}`)
  const publicKey = createPublicKey(privateKey)
  return { privateKey, publicKey, alg, kid: config.JWT_KEY_ID ?? keyIdOf(publicKey) }
}

export interface AccessTokenSettings {
  key: SigningKey
  issuer: string
  audience: string
  ttlSeconds: number
}

/** Short-lived access tokens (SPEC A3): sub, role, iss, aud, iat, exp; `kid` names the key. */
export function createAccessTokenSigner(settings: AccessTokenSettings) {
  const signToken = createSigner({
    key: settings.key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    algorithm: settings.key.alg,
    kid: settings.key.kid,
    iss: settings.issuer,
    aud: settings.audience,
    expiresIn: settings.ttlSeconds * 1000,
  })
  return async function sign(user: TokenSubject) {
    return { accessToken: signToken({ sub: user.id, role: user.role }), expiresIn: settings.ttlSeconds }
  }
}
export type AccessTokenSigner = ReturnType<typeof createAccessTokenSigner>
