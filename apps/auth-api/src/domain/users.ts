import { randomUUID } from 'node:crypto'
import { type Database, users } from '@bookstore/db'
import { eq } from 'drizzle-orm'
import { authErrors } from './auth-errors'

/** An account as its row holds it. */
export type User = typeof users.$inferSelect
export type Role = User['role']
/** Who a token is about: what an access token carries and every app verifies. */
export type TokenSubject = Pick<User, 'id' | 'role'>

/** PostgreSQL's unique_violation, also when drizzle wraps the driver's error. */
function isUniqueViolation(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if ('code' in cause && cause.code === '23505') return true
  }
  return false
}

export async function insertUser(
  db: Database,
  input: { email: string; passwordHash: string; role: Role },
): Promise<User> {
  try {
    // A UUID passes the id rule of carts and tokens ([A-Za-z0-9_-]{1,64}).
    const [row] = await db
      .insert(users)
      .values({ id: randomUUID(), ...input })
      .returning()
    if (!row) throw new Error('INSERT ... RETURNING gave no row')
    return row
  } catch (error) {
    // The unique index decides, so two racing registrations get one account and one EMAIL_TAKEN.
    if (isUniqueViolation(error)) throw authErrors.emailTaken()
    throw error
  }
}

export async function findUserByEmail(db: Database, email: string): Promise<User | undefined> {
  const [row] = await db.select().from(users).where(eq(users.email, email)).limit(1)
  return row
}

export async function findUserById(db: Database, id: string): Promise<User | undefined> {
  const [row] = await db.select().from(users).where(eq(users.id, id)).limit(1)
  return row
}

export async function setUserRole(db: Database, id: string, role: Role): Promise<void> {
  await db.update(users).set({ role, updatedAt: new Date() }).where(eq(users.id, id))
}
