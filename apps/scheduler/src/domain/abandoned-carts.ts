import { readDurableCarts, readNewestCarts } from '@bookstore/cart-store'
import { cartReminders, carts, type Database, users } from '@bookstore/db'
import { AbandonedCartEmail, type ReminderLine } from '@bookstore/events'
import { and, asc, eq, gt, isNull, lt, lte, or, sql } from 'drizzle-orm'
import type { Cluster, Redis } from 'ioredis'
import { Check } from 'typebox/value'

export interface AbandonedCartDeps {
  redis: Redis | Cluster
  db: Database
  /** Puts the reminder on the e-mail queue, deduplicated by user and last change (`idleSince`). */
  enqueueReminder: (email: AbandonedCartEmail) => Promise<void>
  now: () => number
  /** Aborted (the process is shutting down): the sweep stops after the page in hand. */
  signal?: AbortSignal
}

export interface AbandonedCartSettings {
  /** Idle this long (with items) is abandoned. */
  idleAfterMs: number
  /** Idle longer than this gets no reminder any more. */
  maxIdleMs: number
  batchSize: number
  /** The web shop's cart page, linked from the e-mail. */
  cartUrl: string
}

export interface AbandonedCartStats {
  /** Carts PostgreSQL says are abandoned and not yet reminded since their last change. */
  candidates: number
  reminded: number
  /** Changed in Redis since (its copy in PostgreSQL is behind): not abandoned after all. */
  changedSince: number
  /** No valid address or no line left: nothing to send. */
  skipped: number
  /** True when the sweep was stopped before the end (shutdown): the next one covers the rest. */
  stopped: boolean
  durationMs: number
}

interface Candidate {
  userId: string
  version: number
  updatedAt: Date
  email: string
}

/**
 * SPEC S1: a cart with items untouched for `idleAfterMs` gets ONE reminder per abandonment. An
 * abandonment is the shopper's last change (`carts.updated_at`; a catalog change makes a new
 * version but keeps it), and the marker is `cart_reminders.cart_updated_at`: a cart is a candidate
 * only while its last change is later than the one last reminded, so a second sweep sends nothing
 * new, and a later change followed by a new idle period earns another reminder.
 *
 * PostgreSQL finds the candidates (indexed by `updated_at`); Redis, the primary, has the last word:
 * a cart changed since (its copy not persisted yet) is left alone, and the e-mail lists the cart
 * as Redis holds it. The reminder is enqueued before it is marked, under a job id made of the user
 * and the abandonment: a crash in between re-enqueues the same job id, which adds nothing.
 */
export async function remindAbandonedCarts(deps: AbandonedCartDeps, settings: AbandonedCartSettings) {
  const started = deps.now()
  const idleBefore = new Date(started - settings.idleAfterMs)
  const notBefore = new Date(started - settings.maxIdleMs)
  const stats: AbandonedCartStats = {
    candidates: 0,
    reminded: 0,
    changedSince: 0,
    skipped: 0,
    stopped: false,
    durationMs: 0,
  }
  let after: { updatedAt: Date; userId: string } | undefined
  for (;;) {
    if (deps.signal?.aborted) {
      stats.stopped = true
      break
    }
    const rows = await deps.db
      .select({
        userId: carts.userId,
        version: carts.version,
        updatedAt: carts.updatedAt,
        email: users.email,
      })
      .from(carts)
      .innerJoin(users, eq(users.id, carts.userId))
      .leftJoin(cartReminders, eq(cartReminders.userId, carts.userId))
      .where(
        and(
          gt(carts.itemCount, 0),
          lte(carts.updatedAt, idleBefore),
          gt(carts.updatedAt, notBefore),
          or(isNull(cartReminders.userId), lt(cartReminders.cartUpdatedAt, carts.updatedAt)),
          after && sql`(${carts.updatedAt}, ${carts.userId}) > (${after.updatedAt}, ${after.userId})`,
        ),
      )
      .orderBy(asc(carts.updatedAt), asc(carts.userId))
      .limit(settings.batchSize)
    if (rows.length === 0) break
    // The filter on updated_at already excludes nulls; this tells the compiler.
    const page = rows.filter((row): row is Candidate => row.updatedAt !== null)
    stats.candidates += rows.length
    const last = page[page.length - 1]
    if (last) after = { updatedAt: last.updatedAt, userId: last.userId }

    for (const reminder of await remindersFor(deps, page, idleBefore.getTime(), settings.cartUrl, stats)) {
      await deps.enqueueReminder(reminder)
      await deps.db
        .insert(cartReminders)
        .values({
          userId: reminder.userId,
          cartUpdatedAt: new Date(reminder.idleSince),
          cartVersion: reminder.cartVersion,
        })
        .onConflictDoUpdate({
          target: cartReminders.userId,
          set: {
            cartUpdatedAt: sql`excluded.cart_updated_at`,
            cartVersion: sql`excluded.cart_version`,
            remindedAt: sql`now()`,
          },
          setWhere: lt(cartReminders.cartUpdatedAt, sql`excluded.cart_updated_at`),
        })
      stats.reminded += 1
    }
    if (rows.length < settings.batchSize) break
  }
  stats.durationMs = deps.now() - started
  return stats
}

/** The e-mails of one page of candidates, from the carts as Redis holds them (else PostgreSQL's copy). */
async function remindersFor(
  deps: AbandonedCartDeps,
  page: Candidate[],
  idleBefore: number,
  cartUrl: string,
  stats: AbandonedCartStats,
): Promise<AbandonedCartEmail[]> {
  const userIds = page.map((candidate) => candidate.userId)
  const newest = await readNewestCarts(deps.redis, userIds)
  const live = new Map(newest.carts.map((cart) => [cart.userId, cart]))
  const durable = await readDurableCarts(deps.db, newest.missing)
  const reminders: AbandonedCartEmail[] = []
  for (const candidate of page) {
    const cart = live.get(candidate.userId)
    // Redis ahead of PostgreSQL (a change not persisted yet) or touched since: not abandoned now.
    if (cart && (cart.version !== candidate.version || (cart.updatedAt ?? 0) > idleBefore)) {
      stats.changedSince += 1
      continue
    }
    const lines: ReminderLine[] = (cart?.items ?? durable.get(candidate.userId)?.items ?? []).map(
      (item): ReminderLine => ({
        bookId: item.bookId,
        title: item.title,
        quantity: item.quantity,
        unitPriceCents: item.unitPriceCents,
        lineTotalCents: item.unitPriceCents * item.quantity,
      }),
    )
    const email = {
      kind: 'abandoned-cart' as const,
      to: candidate.email,
      userId: candidate.userId,
      cartVersion: candidate.version,
      items: lines,
      totalCents: lines.reduce((sum, line) => sum + line.lineTotalCents, 0),
      itemCount: lines.reduce((sum, line) => sum + line.quantity, 0),
      cartUrl,
      idleSince: candidate.updatedAt.getTime(),
    }
    if (!Check(AbandonedCartEmail, email)) {
      stats.skipped += 1
      continue
    }
    reminders.push(email)
  }
  return reminders
}
