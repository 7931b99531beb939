import { queueWorkerSettings, servicePlugin } from '@bookstore/service-kit'
import type { FastifyInstance } from 'fastify'
import type { CatalogWorkerConfig } from './config'
import { propagationWorkerPlugin } from './plugins/propagation-worker'

/**
 * catalog-worker as a plugin: health, readiness and metrics, no business routes. It consumes the
 * catalog events queue and brings every cart holding the changed book up to date (SPEC B3-B5).
 */
export async function catalogWorker(app: FastifyInstance, options: { config: CatalogWorkerConfig }) {
  const { config } = options
  await app.register(servicePlugin, {
    serviceName: 'catalog-worker',
    description: 'Catalog-to-cart propagation: price, title, deletion and stock changes reach every cart.',
  })
  await app.register(propagationWorkerPlugin, {
    worker: queueWorkerSettings(config, config.CONCURRENCY),
    sweep: {
      batchSize: config.SWEEP_BATCH_SIZE,
      pruneAfterMs: config.INDEX_PRUNE_AFTER_MS,
      cartTtlSeconds: config.CART_TTL_SECONDS,
    },
    resweepDelayMs: config.RESWEEP_DELAY_MS,
  })
}
