import { parseArgs } from 'node:util'
import { createDatabase } from '@bookstore/db'
import { configOrExit, DomainError, loadConfig } from '@bookstore/service-kit'
import { Type } from 'typebox'
import { AuthApiConfig } from '../config'
import { ensureAdmin } from '../domain/admin-account'
import { accountCreator } from '../domain/auth-service'
import { createPasswordHasher } from '../domain/passwords'

const usage =
  'usage: pnpm --filter @bookstore/auth-api create-admin --email <e-mail>   (password from ADMIN_PASSWORD)'

function fail(message: string): never {
  process.stderr.write(`${message}\n${usage}\n`)
  process.exit(2)
}

// Only what this command needs from auth-api's configuration (no signing key, no Redis).
const pick = <K extends keyof typeof AuthApiConfig.properties>(...names: K[]) =>
  Object.fromEntries(names.map((name) => [name, AuthApiConfig.properties[name]])) as Pick<
    typeof AuthApiConfig.properties,
    K
  >
const config = configOrExit(() =>
  loadConfig(
    Type.Object({
      ...pick(
        'DATABASE_URL',
        'PASSWORD_MIN_LENGTH',
        'ARGON2_MEMORY_KIB',
        'ARGON2_TIME_COST',
        'ARGON2_PARALLELISM',
      ),
      ADMIN_PASSWORD: Type.String({ minLength: 1, maxLength: 256 }),
    }),
  ),
)

const args = process.argv.slice(2).filter((arg) => arg !== '--')
let email: string | undefined
try {
  email = parseArgs({ args, options: { email: { type: 'string' } }, strict: true }).values.email
} catch (error) {
  fail(error instanceof Error ? error.message : String(error))
}
if (!email) fail('--email is required')

const { pool, db } = createDatabase(config.DATABASE_URL, { max: 1, applicationName: 'create-admin' })
try {
  const hasher = await createPasswordHasher({
    memoryKib: config.ARGON2_MEMORY_KIB,
    timeCost: config.ARGON2_TIME_COST,
    parallelism: config.ARGON2_PARALLELISM,
  })
  const createAccount = accountCreator(db, hasher, config.PASSWORD_MIN_LENGTH)
  const outcome = await ensureAdmin(db, createAccount, { email, password: config.ADMIN_PASSWORD })
  process.stdout.write(`${email}: ${outcome === 'unchanged' ? 'already an admin' : outcome}\n`)
} catch (error) {
  if (!(error instanceof DomainError)) throw error
  fail(`${error.code}: ${error.message}`)
} finally {
  await pool.end()
}
