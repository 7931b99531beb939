import { createDatabase, type Database, migrateDatabase } from '@bookstore/db'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

declare module 'fastify' {
  interface FastifyInstance {
    db: Database
  }
}

export interface DatabasePoolOptions {
  url: string
  poolSize: number
  /** Shown in pg_stat_activity: which service holds a connection. */
  applicationName: string
}

/**
 * A PostgreSQL pool that lives as long as the app: ended on close. A connection that fails while
 * idle (PostgreSQL restarting) or while checked out must not crash the process: it is logged, and a
 * query that was running on it fails where it was made.
 */
export function openDatabasePool(
  app: FastifyInstance,
  options: DatabasePoolOptions,
): { db: Database; ping: () => Promise<unknown> } {
  const { pool, db } = createDatabase(options.url, {
    max: options.poolSize,
    applicationName: options.applicationName,
  })
  pool.on('connect', (client) =>
    client.on('error', (error) => app.log.warn({ err: error }, 'postgres client error')),
  )
  pool.on('error', (error) => app.log.warn({ err: error }, 'postgres pool error'))
  app.addHook('onClose', () => pool.end())
  return { db, ping: () => pool.query('SELECT 1') }
}

/**
 * `app.db`, for a service whose every request needs PostgreSQL: readiness fails while it is away.
 * `migrate`: apply pending migrations first (idempotent, one instance at a time).
 */
export const databasePlugin = fp(
  async (app: FastifyInstance, options: DatabasePoolOptions & { migrate?: boolean }) => {
    if (options.migrate) await migrateDatabase(options.url)
    const { db, ping } = openDatabasePool(app, options)
    app.decorate('db', db)
    app.addReadinessCheck('postgres', ping)
  },
  { name: 'database', dependencies: ['health'] },
)
