import { createHash, type KeyObject } from 'node:crypto'

/**
 * The RFC 7638 thumbprint of a public key: the default key id. Every app derives the same id from
 * the same PEM, so a key never needs its id configured in two places.
 */
export function keyIdOf(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: 'jwk' })
  const members =
    jwk.kty === 'OKP'
      ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x }
      : jwk.kty === 'EC'
        ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }
        : undefined
  if (!members) throw new Error(`Access-token keys must be Ed25519 or P-256, not ${jwk.kty}`)
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url')
}
