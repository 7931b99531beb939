import {
  type CatalogEvent,
  type CatalogEventJob,
  catalogJobId,
  catalogQueueNames,
  retryingJobOptions,
} from '@bookstore/events'
import { Queue } from 'bullmq'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Counter, Gauge } from 'prom-client'
import { type CatalogReads, createCatalogReads } from '../domain/catalog-reads'
import { type CatalogWrites, createCatalogWrites } from '../domain/catalog-writes'
import { createOutboxRelay, type OutboxRelay, underRelayLock } from '../domain/outbox-relay'
import { rebuildReadModel } from '../domain/read-model'
import { seedCatalog } from '../seed/seed-catalog'

declare module 'fastify' {
  interface FastifyInstance {
    catalog: {
      reads: CatalogReads
      writes: CatalogWrites
      relay: OutboxRelay
      rebuildReadModel: () => Promise<number>
      /** Wakes the relay after a commit that wrote outbox rows (never fails: rows wait for the next pass). */
      wake: () => Promise<void>
    }
  }
}

export interface CatalogPluginOptions {
  queuePrefix: string
  relay: { enabled: boolean; pollMs: number; batchSize: number }
  rebuildOnStart: boolean
  seed: boolean
}

/**
 * The catalog (SPEC B1-B2) and its outbox relay: the catalog events producer. The queue shares the
 * app's Redis connection, which fails fast: a failed relay pass leaves the rows pending for the next.
 */
export const catalogPlugin = fp(
  async (app: FastifyInstance, options: CatalogPluginOptions) => {
    const queue = new Queue<CatalogEventJob>(catalogQueueNames.catalogEvents, {
      connection: app.redis,
      prefix: options.queuePrefix,
      defaultJobOptions: retryingJobOptions(20, 500, 3600),
    })
    queue.on('error', (error) => app.log.warn({ err: error }, 'catalog events queue error'))
    const relayed = new Counter({
      name: 'catalog_events_relayed_total',
      help: 'Catalog events moved from the outbox to the queue',
      registers: [app.metrics],
    })
    const relayFailures = new Counter({
      name: 'catalog_outbox_relay_failures_total',
      help: 'Relay passes that failed (their rows stay pending and are retried)',
      registers: [app.metrics],
    })
    new Gauge({
      name: 'catalog_outbox_pending',
      help: 'Outbox rows not yet relayed',
      registers: [app.metrics],
      collect: async function (this: Gauge) {
        this.set(await relay.pendingCount().catch(() => -1))
      },
    })

    const relay = createOutboxRelay({
      db: app.db,
      redis: app.redis,
      batchSize: options.relay.batchSize,
      enqueue: async (events: CatalogEvent[]) => {
        await queue.addBulk(
          events.map((event) => ({
            name: event.type,
            data: { event, sweep: 1 as const },
            opts: { jobId: catalogJobId(event.eventId, 1) },
          })),
        )
        relayed.inc(events.length)
      },
    })
    // A relay failure never fails the request whose commit woke it: the rows wait for the next pass.
    const relaySafely = async () => {
      if (!options.relay.enabled) return
      await relay.runNow().catch((error: unknown) => {
        relayFailures.inc()
        app.log.warn({ err: error }, 'catalog outbox relay pass failed; rows stay pending')
      })
    }

    if (options.seed) {
      const seeded = await seedCatalog(app.db)
      if (seeded > 0) app.log.info({ books: seeded }, 'loaded the sample catalog')
    }
    const rebuild = () => rebuildReadModel(app.redis, (work) => underRelayLock(app.db, work, { wait: true }))
    if (options.rebuildOnStart) app.log.info({ books: await rebuild() }, 'book read model rebuilt')

    app.decorate('catalog', {
      reads: createCatalogReads(app.db),
      writes: createCatalogWrites(app.db, relaySafely),
      relay,
      rebuildReadModel: rebuild,
      wake: relaySafely,
    })

    // Rows left by a crash, by an instance with the relay off, or by a failed pass.
    let timer: NodeJS.Timeout | undefined
    let closing = false
    const poll = () => {
      timer = setTimeout(async () => {
        await relaySafely()
        if (!closing) poll()
      }, options.relay.pollMs)
    }
    if (options.relay.enabled) {
      app.addHook('onReady', async () => {
        await relaySafely()
        poll()
      })
    }
    app.addHook('onClose', async () => {
      closing = true
      clearTimeout(timer)
      if (options.relay.enabled) await relay.runNow().catch(() => undefined)
      await queue.close()
    })
  },
  { name: 'catalog', dependencies: ['redis', 'database', 'metrics'] },
)
