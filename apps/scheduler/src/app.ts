import { authPlugin, databasePlugin, servicePlugin, tokenVerifierFromConfig } from '@bookstore/service-kit'
import type { FastifyInstance } from 'fastify'
import type { SchedulerConfig } from './config'
import { schedulerErrorStatuses } from './error-statuses'
import { scheduledJobsPlugin } from './plugins/scheduled-jobs'
import { scheduleRoutes } from './routes/schedule-routes'

/**
 * The scheduler as a plugin: tests register it exactly as main.ts does. Repeatable jobs for
 * reconciliation and the daily re-sync (SPEC P6), abandoned-cart reminders (S1) and the
 * dead-letter watch (S3); admin routes to see the schedules and run one now.
 */
export async function scheduler(app: FastifyInstance, options: { config: SchedulerConfig }) {
  const { config } = options
  // Tier 1: the service kit and external clients.
  await app.register(servicePlugin, {
    serviceName: 'scheduler',
    description:
      'Repeatable jobs: cart reconciliation and re-sync, abandoned-cart reminders, dead-letter watch.',
    errorStatuses: schedulerErrorStatuses,
  })
  await app.register(authPlugin, { verify: tokenVerifierFromConfig(config) })
  await app.register(databasePlugin, {
    url: config.DATABASE_URL,
    poolSize: config.DATABASE_POOL_SIZE,
    applicationName: 'scheduler',
  })
  // Tier 2: the schedules and their workers.
  await app.register(scheduledJobsPlugin, { config })
  // Tier 3: admin routes.
  await app.register(scheduleRoutes)
}
