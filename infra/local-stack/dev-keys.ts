import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { localDir } from './paths'

export const devKeysDir = join(localDir, 'dev-keys')
/** auth-api signs with this in the local stack; generated on first start, never committed. */
export const devPrivateKeyFile = join(devKeysDir, 'private.pem')

export interface DevKeys {
  privateKey: KeyObject
  privateKeyFile: string
  publicKeyFile: string
}

const isAlreadyThere = (error: unknown) =>
  error instanceof Error && 'code' in error && error.code === 'EEXIST'

/**
 * The Ed25519 pair auth-api and dev-token sign the local stack's tokens with, and every app
 * verifies them with. Generated on
 * first use only, so tokens minted earlier stay valid across restarts of the stack.
 */
export function ensureDevKeys(dir = devKeysDir): DevKeys {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const privateKeyFile = dir === devKeysDir ? devPrivateKeyFile : join(dir, 'private.pem')
  const publicKeyFile = join(dir, 'public.pem')
  if (!existsSync(privateKeyFile)) {
    const { privateKey } = generateKeyPairSync('ed25519')
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' })
    try {
      // 'wx': when start and dev-token race on the first run, the first writer wins and both use its key.
      writeFileSync(privateKeyFile, pem, { mode: 0o600, flag: 'wx' })
    } catch (error) {
      if (!isAlreadyThere(error)) throw error
    }
  }
  const privateKey = createPrivateKey(readFileSync(privateKeyFile, 'utf8'))
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new Error(`${privateKeyFile} is not an Ed25519 key: delete ${dir} to generate a new pair`)
  }
  // The public key is always derived from the private one, so the two files can never disagree.
  const publicPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString()
  if (!existsSync(publicKeyFile) || readFileSync(publicKeyFile, 'utf8') !== publicPem) {
    writeFileSync(publicKeyFile, publicPem)
  }
  return { privateKey, privateKeyFile, publicKeyFile }
}
