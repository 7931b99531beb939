import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { type Database, refreshTokens } from '@bookstore/db'
import { and, eq, inArray, isNull, min, sql } from 'drizzle-orm'
import { authErrors } from './auth-errors'

/** 256 random bits, base64url: opaque to the client, meaningless without the database. */
const newToken = () => randomBytes(32).toString('base64url')
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex')

type Executor = Pick<Database, 'insert'>
type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0]

/** Any fixed number: the class of the advisory locks below (their two-int keys are a space of their own). */
const FAMILY_LOCK_CLASS = 18_001

/**
 * Takes the family's lock for the rest of the transaction. Rotation and revocation of a family both
 * take it, so they run one after the other: a revocation's UPDATE starts after a concurrent rotation
 * has committed (so it sees and revokes the successor that rotation inserted), and a rotation after a
 * revocation reads the row revoked. A row lock alone cannot do that: the successor is a new row,
 * which an UPDATE that started before its insert committed does not see. (hashtext may map two
 * families to one lock: they then wait for each other, harmlessly.)
 */
async function lockFamily(tx: Transaction, familyId: string) {
  await tx.execute(sql`select pg_advisory_xact_lock(${FAMILY_LOCK_CLASS}, hashtext(${familyId}))`)
}

const familyOf = async (tx: Transaction, token: string) => {
  const [row] = await tx
    .select({ familyId: refreshTokens.familyId })
    .from(refreshTokens)
    .where(eq(refreshTokens.tokenHash, hashToken(token)))
  return row?.familyId
}

/** How long tokens live: each `ttlSeconds`, and none past its session's `maxAgeSeconds` (from log-in). */
export interface TokenLifetimes {
  ttlSeconds: number
  maxAgeSeconds: number
}

/** A token the client gets, and when it expires. */
export interface IssuedToken {
  token: string
  expiresAt: Date
  /** Its lifetime from issue: the TTL, or less near the end of the session. */
  expiresInSeconds: number
}

async function insertToken(
  db: Executor,
  input: { userId: string; familyId: string; now: Date; expiresAt: Date },
): Promise<IssuedToken> {
  const token = newToken()
  await db.insert(refreshTokens).values({
    id: randomUUID(),
    tokenHash: hashToken(token),
    userId: input.userId,
    familyId: input.familyId,
    // The app's clock, like every expiry it is compared with (the column's default is the database's).
    createdAt: input.now,
    expiresAt: input.expiresAt,
  })
  const expiresInSeconds = Math.floor((input.expiresAt.getTime() - input.now.getTime()) / 1000)
  return { token, expiresAt: input.expiresAt, expiresInSeconds }
}

/** The successor's expiry: a full TTL from now, but never past the end of the session. */
const expiryOf = (now: Date, sessionEnd: Date, ttlSeconds: number) =>
  new Date(Math.min(now.getTime() + ttlSeconds * 1000, sessionEnd.getTime()))

/**
 * A new login: a new family with its first token. The user's dead families go at the same time
 * (every row expired: an expired token is refused either way, as INVALID once its row is gone),
 * which keeps the table at the live sessions' rows without a sweeper. A live family keeps all its
 * rows, the first one too: its creation time is the session's start, which the maximum age counts from.
 */
export async function issueRefreshToken(
  db: Database,
  userId: string,
  lifetimes: TokenLifetimes,
): Promise<IssuedToken> {
  const deadFamilies = db
    .select({ familyId: refreshTokens.familyId })
    .from(refreshTokens)
    .where(eq(refreshTokens.userId, userId))
    .groupBy(refreshTokens.familyId)
    .having(sql`max(${refreshTokens.expiresAt}) < now()`)
  await db
    .delete(refreshTokens)
    .where(and(eq(refreshTokens.userId, userId), inArray(refreshTokens.familyId, deadFamilies)))
  const now = new Date()
  const sessionEnd = new Date(now.getTime() + lifetimes.maxAgeSeconds * 1000)
  return insertToken(db, {
    userId,
    familyId: randomUUID(),
    now,
    expiresAt: expiryOf(now, sessionEnd, lifetimes.ttlSeconds),
  })
}

type RotateOutcome =
  | ({ ok: true; userId: string } & IssuedToken)
  | { ok: false; reason: 'invalid' | 'expired' | 'revoked' | 'reused' | 'too-old' }

/**
 * Exchanges a refresh token for its successor in the same family (SPEC A1). The family is locked
 * (and the row, SELECT ... FOR UPDATE), so of two concurrent refreshes with one token the second
 * waits, then sees the token rotated: it counts as reuse, and the family is revoked in the same
 * transaction; a concurrent log-out waits for the rotation, then revokes its successor too.
 * A session older than its maximum age is not extended, however recently its token was rotated.
 * The transaction commits in every case (the revocation must stick); the caller throws after.
 */
export async function rotateRefreshToken(db: Database, token: string, lifetimes: TokenLifetimes) {
  const outcome = await db.transaction(async (tx): Promise<RotateOutcome> => {
    const familyId = await familyOf(tx, token)
    if (familyId === undefined) return { ok: false, reason: 'invalid' }
    await lockFamily(tx, familyId)
    // Read again under the family's lock (a new snapshot): a revocation that got there first shows.
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
    const now = new Date()
    // The session's start: its family's first row (kept while the family lives; issueRefreshToken).
    const [family] = await tx
      .select({ start: min(refreshTokens.createdAt) })
      .from(refreshTokens)
      .where(eq(refreshTokens.familyId, row.familyId))
    const sessionEnd = new Date((family?.start ?? row.createdAt).getTime() + lifetimes.maxAgeSeconds * 1000)
    if (sessionEnd <= now) return { ok: false, reason: 'too-old' }
    if (row.expiresAt <= now) return { ok: false, reason: 'expired' }
    await tx.update(refreshTokens).set({ rotatedAt: now }).where(eq(refreshTokens.id, row.id))
    const next = await insertToken(tx, {
      userId: row.userId,
      familyId: row.familyId,
      now,
      expiresAt: expiryOf(now, sessionEnd, lifetimes.ttlSeconds),
    })
    return { ok: true, userId: row.userId, ...next }
  })
  if (outcome.ok) return outcome
  throw {
    invalid: authErrors.refreshInvalid,
    expired: authErrors.refreshExpired,
    revoked: authErrors.refreshRevoked,
    reused: authErrors.refreshReused,
    'too-old': authErrors.sessionMaxAgeExceeded,
  }[outcome.reason]()
}

async function revokeFamilyWith(db: Pick<Database, 'update'>, familyId: string) {
  await db
    .update(refreshTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)))
}

/**
 * Log-out: the whole family of the token goes, whichever of its tokens is presented; under the
 * family's lock, so that no rotation running at the same moment leaves a successor unrevoked.
 */
export async function revokeFamilyOf(db: Database, token: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const familyId = await familyOf(tx, token)
    if (familyId === undefined) return false
    await lockFamily(tx, familyId)
    await revokeFamilyWith(tx, familyId)
    return true
  })
}
