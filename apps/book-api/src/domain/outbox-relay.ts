import { catalogOutbox, type Database } from '@bookstore/db'
import { type CatalogEvent, CatalogEvent as CatalogEventSchema } from '@bookstore/events'
import type { RedisClient } from '@bookstore/service-kit'
import { asc, inArray, isNull, sql } from 'drizzle-orm'
import { Check } from 'typebox/value'
import { currentRows, writeReadModels } from './read-model'
import type { Transaction } from './transaction'

/** Any fixed number: the advisory lock that keeps one relay (of all instances) at work at a time. */
const RELAY_LOCK = 7_243_006

/**
 * Runs `work` in a transaction holding the relay lock. With `wait: false` it returns undefined at
 * once when another session holds it (another instance is relaying: nothing to do here).
 */
export async function underRelayLock<T>(
  db: Database,
  work: (tx: Transaction) => Promise<T>,
  options: { wait: boolean } = { wait: true },
): Promise<T | undefined> {
  return db.transaction(async (tx) => {
    if (options.wait) await tx.execute(sql`select pg_advisory_xact_lock(${RELAY_LOCK})`)
    else {
      const result = await tx.execute<{ locked: boolean }>(
        sql`select pg_try_advisory_xact_lock(${RELAY_LOCK}) as locked`,
      )
      if (!result.rows[0]?.locked) return undefined
    }
    return work(tx)
  })
}

export interface OutboxRelayDeps {
  db: Database
  redis: RedisClient
  /** Adds the events to the catalog events queue, each under a job id derived from its id. */
  enqueue: (events: CatalogEvent[]) => Promise<void>
  batchSize: number
}

/**
 * Moves outbox rows to the catalog events queue (SPEC B3-B5), oldest first, and writes the read
 * model of their books (SPEC B2) from the books' current rows. Inside one transaction holding the
 * relay lock: read read model -> enqueue -> mark published. A crash before the mark leaves the rows
 * pending, so the next pass (this instance after a restart, or another) sends them again; their job
 * ids make the second add a no-op while the first job is still known to the queue, and a second
 * delivery is harmless anyway (propagation is idempotent).
 */
export function createOutboxRelay(deps: OutboxRelayDeps) {
  const { db } = deps

  /** One batch; returns how many rows it relayed (0: nothing pending, or another relay at work). */
  async function relayBatch(): Promise<number> {
    const relayed = await underRelayLock(
      db,
      async (tx) => {
        const rows = await tx
          .select()
          .from(catalogOutbox)
          .where(isNull(catalogOutbox.publishedAt))
          .orderBy(asc(catalogOutbox.id))
          .limit(deps.batchSize)
        if (rows.length === 0) return 0
        const events = rows.map((row) => {
          const event = { ...(row.payload as Omit<CatalogEvent, 'eventId'>), eventId: row.id }
          if (!Check(CatalogEventSchema, event))
            throw new Error(`outbox row ${row.id} is not a catalog event`)
          return event
        })
        await writeReadModels(deps.redis, await currentRows(tx, [...new Set(rows.map((row) => row.bookId))]))
        await deps.enqueue(events)
        const ids = rows.map((row) => row.id)
        await tx.update(catalogOutbox).set({ publishedAt: new Date() }).where(inArray(catalogOutbox.id, ids))
        return rows.length
      },
      { wait: false },
    )
    return relayed ?? 0
  }

  async function drain(): Promise<void> {
    while ((await relayBatch()) === deps.batchSize) {}
  }

  let current: Promise<void> | undefined
  let next: Promise<void> | undefined

  /** Relays everything pending; a call during a pass gets one more pass after it (single flight). */
  function runNow(): Promise<void> {
    if (!current) {
      current = drain().finally(() => {
        current = undefined
      })
      return current
    }
    next ??= current
      .catch(() => undefined)
      .then(() => {
        next = undefined
        return runNow()
      })
    return next
  }

  async function pendingCount(): Promise<number> {
    const result = await db.execute<{ n: number }>(
      sql`select count(*)::int as n from ${catalogOutbox} where ${catalogOutbox.publishedAt} is null`,
    )
    return result.rows[0]?.n ?? 0
  }

  return { runNow, relayBatch, pendingCount }
}
export type OutboxRelay = ReturnType<typeof createOutboxRelay>
