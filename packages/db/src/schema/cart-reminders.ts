import { bigint, pgTable, text, timestamp } from 'drizzle-orm/pg-core'

/**
 * Abandoned-cart reminders (SPEC S1), owned by the scheduler: the abandonment the last reminder
 * was sent for, i.e. the cart's `updated_at` (the shopper's last change) at that time. A cart earns
 * a reminder only while its `updated_at` is later, so each abandonment gets ONE e-mail, a later
 * change followed by a new idle period may earn another, and a catalog change (a new version, the
 * same `updated_at`) earns none.
 */
export const cartReminders = pgTable('cart_reminders', {
  userId: text('user_id').primaryKey(),
  cartUpdatedAt: timestamp('cart_updated_at', { withTimezone: true }).notNull(),
  /** The cart version the reminder showed (for the record). */
  cartVersion: bigint('cart_version', { mode: 'number' }).notNull(),
  remindedAt: timestamp('reminded_at', { withTimezone: true }).notNull().defaultNow(),
})
