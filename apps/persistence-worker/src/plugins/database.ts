import { createDatabase, type Database, migrateDatabase } from '@bookstore/db'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

declare module 'fastify' {
  interface FastifyInstance {
    db: Database
  }
}

/**
 * PostgreSQL, the carts' durable copy. Migrations run first (idempotent, one instance at a time);
 * the pool is small because every job is one short transaction.
 */
export const databasePlugin = fp(
  async (app: FastifyInstance, options: { url: string; poolSize: number }) => {
    await migrateDatabase(options.url)
    const { pool, db } = createDatabase(options.url, {
      max: options.poolSize,
      applicationName: 'persistence-worker',
    })
    // An idle client losing its server (PostgreSQL restarting) must not crash the process.
    // A connection lost while a client is checked out (mid-transaction) must not crash the process
    // either: its query fails, and that is handled where it was made.
    pool.on('connect', (client) =>
      client.on('error', (error) => app.log.warn({ err: error }, 'postgres client error')),
    )
    pool.on('error', (error) => app.log.warn({ err: error }, 'postgres pool error'))
    app.decorate('db', db)
    app.addReadinessCheck('postgres', () => pool.query('SELECT 1'))
    app.addHook('onClose', () => pool.end())
  },
  { name: 'database', dependencies: ['health'] },
)
