import type { Database } from '@bookstore/db'
import type { NewAccount } from './auth-service'
import { normalizeEmail } from './credentials'
import { findUserByEmail, setUserRole, type User } from './users'

/**
 * The first admin (SPEC A4): creates the account with the admin role, or promotes an existing
 * one. An existing password is never changed, so running it twice is harmless.
 */
export async function ensureAdmin(
  db: Database,
  createAccount: (input: NewAccount) => Promise<User>,
  input: { email: string; password: string },
): Promise<'created' | 'promoted' | 'unchanged'> {
  const existing = await findUserByEmail(db, normalizeEmail(input.email))
  if (!existing) {
    await createAccount({ ...input, role: 'admin' }).catch(async (error: unknown) => {
      // Another instance created it at the same moment: fine, if it is there now.
      if (!(await findUserByEmail(db, normalizeEmail(input.email)))) throw error
    })
    return 'created'
  }
  if (existing.role === 'admin') return 'unchanged'
  await setUserRole(db, existing.id, 'admin')
  return 'promoted'
}
