import { index, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core'
import { users } from './users'

/**
 * Refresh tokens (SPEC A1): only the SHA-256 of the opaque token is stored, so a leaked table
 * yields no usable token. Every refresh replaces the row's token with a new one of the same
 * family; presenting a token that was already used (rotated) revokes the whole family.
 */
export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    id: text('id').primaryKey(),
    /** Hex SHA-256 of the token the client holds. */
    tokenHash: text('token_hash').notNull(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** One login's chain of rotated tokens: reuse of any of them revokes all of them. */
    familyId: text('family_id').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    /** Set when this token was exchanged for its successor: presenting it again is reuse. */
    rotatedAt: timestamp('rotated_at', { withTimezone: true }),
    /** Set on log-out or reuse detection, for every token of the family. */
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (table) => [
    uniqueIndex('refresh_tokens_token_hash_idx').on(table.tokenHash),
    index('refresh_tokens_family_id_idx').on(table.familyId),
    index('refresh_tokens_user_id_idx').on(table.userId),
  ],
)
