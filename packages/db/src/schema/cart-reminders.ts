import { bigint, pgTable, text, timestamp } from 'drizzle-orm/pg-core'

/**
 * Abandoned-cart reminders (SPEC S1), owned by the scheduler: the cart version the last reminder
 * was sent for. A cart earns a reminder only while its version is newer than this one, so each
 * abandonment gets ONE e-mail, and a later change followed by a new idle period may earn another.
 */
export const cartReminders = pgTable('cart_reminders', {
  userId: text('user_id').primaryKey(),
  cartVersion: bigint('cart_version', { mode: 'number' }).notNull(),
  remindedAt: timestamp('reminded_at', { withTimezone: true }).notNull().defaultNow(),
})
