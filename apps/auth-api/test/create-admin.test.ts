import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { openTestDatabase, type TestDatabase } from '@bookstore/test-kit'
import { decodeJwt } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PASSWORD, type Session, startAuthApi, type TestAuthApi, uniqueEmail } from './harness'

const run = promisify(execFile)
const appDir = fileURLToPath(new URL('..', import.meta.url))
const tsx = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url))

let database: TestDatabase
let auth: TestAuthApi
beforeAll(async () => {
  database = await openTestDatabase()
  auth = await startAuthApi(database.url)
})
afterAll(async () => {
  await auth?.close()
  await database?.drop()
})

/** `pnpm --filter @bookstore/auth-api create-admin --email <e-mail>`, as the README documents it. */
function createAdmin(email: string, password = PASSWORD) {
  return run(tsx, ['--conditions=source', 'src/cli/create-admin.ts', '--email', email], {
    cwd: appDir,
    env: { ...process.env, DATABASE_URL: database.url, ADMIN_PASSWORD: password },
  })
}

describe('create-admin (SPEC A4)', () => {
  it('creates an admin, then says so again without changing anything', async () => {
    const email = uniqueEmail()
    expect((await createAdmin(email)).stdout).toBe(`${email}: created\n`)
    expect((await createAdmin(email, 'another password entirely')).stdout).toBe(
      `${email}: already an admin\n`,
    )
    const session = (await auth.login(email)).json() as Session
    expect(session.user.role).toBe('admin')
  })

  it('promotes an existing customer; the next refresh carries the admin role', async () => {
    const customer = await auth.account()
    expect((await createAdmin(customer.email)).stdout).toBe(`${customer.email}: promoted\n`)
    const renewed = (await auth.refresh(customer.refreshToken)).json() as Session
    expect(decodeJwt(renewed.accessToken).role).toBe('admin')
  })

  it('refuses a short password with its code and exit status 2', async () => {
    const failure = await createAdmin(uniqueEmail(), 'short').catch(
      (error: { code: number; stderr: string }) => error,
    )
    expect(failure).toMatchObject({ code: 2, stderr: expect.stringContaining('PASSWORD_TOO_SHORT') })
  })
})
