import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { type Database, refreshTokens } from '@bookstore/db'
import { and, eq, isNull, lt } from 'drizzle-orm'
import { authErrors } from './auth-errors'

/** 256 random bits, base64url: opaque to the client, meaningless without the database. */
const newToken = () => randomBytes(32).toString('base64url')
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex')

type Executor = Pick<Database, 'insert'>

async function insertToken(
  db: Executor,
  input: { userId: string; familyId: string; ttlSeconds: number },
): Promise<string> {
  const token = newToken()
  await db.insert(refreshTokens).values({
    id: randomUUID(),
    tokenHash: hashToken(token),
    userId: input.userId,
    familyId: input.familyId,
    expiresAt: new Date(Date.now() + input.ttlSeconds * 1000),
  })
  return token
}

/**
 * A new login: a new family with its first token. The user's expired rows go at the same time
 * (an expired token is refused either way: as INVALID once its row is gone), which keeps the
 * table at the live sessions' rows without a sweeper.
 */
export async function issueRefreshToken(db: Database, userId: string, ttlSeconds: number) {
  await db
    .delete(refreshTokens)
    .where(and(eq(refreshTokens.userId, userId), lt(refreshTokens.expiresAt, new Date())))
  return insertToken(db, { userId, familyId: randomUUID(), ttlSeconds })
}

type RotateOutcome =
  | { ok: true; userId: string; token: string }
  | { ok: false; reason: 'invalid' | 'expired' | 'revoked' | 'reused' }

/**
 * Exchanges a refresh token for its successor in the same family (SPEC A1). The row is locked
 * (SELECT ... FOR UPDATE), so of two concurrent refreshes with one token the second waits, then
 * sees the token rotated: it counts as reuse, and the family is revoked in the same transaction.
 * The transaction commits in every case (the revocation must stick); the caller throws after.
 */
export async function rotateRefreshToken(db: Database, token: string, ttlSeconds: number) {
  const outcome = await db.transaction(async (tx): Promise<RotateOutcome> => {
    const [row] = await tx
      .select()
      .from(refreshTokens)
      .where(eq(refreshTokens.tokenHash, hashToken(token)))
      .for('update')
    if (!row) return { ok: false, reason: 'invalid' }
    if (row.revokedAt) return { ok: false, reason: 'revoked' }
    if (row.rotatedAt) {
      // Stolen-token detection: whoever holds the newer token loses it too.
      await revokeFamilyWith(tx, row.familyId)
      return { ok: false, reason: 'reused' }
    }
    if (row.expiresAt.getTime() <= Date.now()) return { ok: false, reason: 'expired' }
    await tx.update(refreshTokens).set({ rotatedAt: new Date() }).where(eq(refreshTokens.id, row.id))
    const next = await insertToken(tx, { userId: row.userId, familyId: row.familyId, ttlSeconds })
    return { ok: true, userId: row.userId, token: next }
  })
  if (outcome.ok) return outcome
  throw {
    invalid: authErrors.refreshInvalid,
    expired: authErrors.refreshExpired,
    revoked: authErrors.refreshRevoked,
    reused: authErrors.refreshReused,
  }[outcome.reason]()
}

async function revokeFamilyWith(db: Pick<Database, 'update'>, familyId: string) {
  await db
    .update(refreshTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)))
}

/** Log-out: the whole family of the token goes, whichever of its tokens is presented. */
export async function revokeFamilyOf(db: Database, token: string): Promise<boolean> {
  const [row] = await db
    .select({ familyId: refreshTokens.familyId })
    .from(refreshTokens)
    .where(eq(refreshTokens.tokenHash, hashToken(token)))
  if (!row) return false
  await revokeFamilyWith(db, row.familyId)
  return true
}
