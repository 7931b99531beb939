import { sql } from 'drizzle-orm'
import { check, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core'

/**
 * Accounts (SPEC A1, A4). The id is the JWT subject and the cart's user id, so it must pass the
 * events package's id rule; the e-mail is stored lower-cased and trimmed, so the unique index
 * is what makes "duplicate e-mail" one answer however two registrations race.
 */
export const users = pgTable(
  'users',
  {
    id: text('id').primaryKey(),
    email: text('email').notNull(),
    /** argon2id, PHC string form (algorithm, parameters and salt travel with the hash). */
    passwordHash: text('password_hash').notNull(),
    role: text('role', { enum: ['customer', 'admin'] })
      .notNull()
      .default('customer'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('users_email_idx').on(table.email),
    check('users_role_check', sql`${table.role} in ('customer', 'admin')`),
  ],
)
