import { createPublicKey } from 'node:crypto'
import { parseArgs } from 'node:util'
import { isValidId } from '@bookstore/events'
import { keyIdOf } from '@bookstore/service-kit'
import { createSigner } from 'fast-jwt'
import { ensureDevKeys } from './dev-keys'

const usage = 'usage: pnpm -s dev-token --sub <user-id> [--role customer|admin] [--ttl <seconds>]'

function fail(message: string): never {
  process.stderr.write(`${message}\n${usage}\n`)
  process.exit(2)
}

function readOptions() {
  // `pnpm dev-token -- --sub alice` hands the `--` through; parseArgs would read it as "end of options".
  const args = process.argv.slice(2).filter((arg) => arg !== '--')
  try {
    const { values } = parseArgs({
      args,
      options: {
        sub: { type: 'string' },
        role: { type: 'string', default: 'customer' },
        ttl: { type: 'string', default: '3600' },
      },
      strict: true,
    })
    return values
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error))
  }
}

const { sub, role, ttl } = readOptions()
if (sub === undefined) fail('--sub is required')
if (!isValidId(sub)) fail(`--sub must match [A-Za-z0-9_-]{1,64}: ${sub}`)
if (role !== 'customer' && role !== 'admin') fail(`--role must be customer or admin: ${role}`)
const ttlSeconds = Number(ttl)
if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds <= 0)
  fail(`--ttl must be a positive number of seconds: ${ttl}`)

// The same claims and key id auth-api issues (SPEC A3), so the apps cannot tell a dev token from a real one.
const { privateKey } = ensureDevKeys()
const signToken = createSigner({
  key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  algorithm: 'EdDSA',
  kid: keyIdOf(createPublicKey(privateKey)),
  iss: 'bookstore-auth',
  aud: 'bookstore',
  expiresIn: ttlSeconds * 1000,
})
const token = signToken({ sub, role })

// Only the token on stdout, so `TOKEN=$(pnpm -s dev-token --sub alice)` works.
process.stdout.write(`${token}\n`)
