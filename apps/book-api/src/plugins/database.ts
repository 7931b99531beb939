import { createDatabase, type Database } from '@bookstore/db'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

declare module 'fastify' {
  interface FastifyInstance {
    db: Database
  }
}

/** The PostgreSQL pool (the catalog and its outbox): checked by readiness, ended on close. */
export const databasePlugin = fp(
  async (app: FastifyInstance, options: { url: string; max: number }) => {
    const { pool, db } = createDatabase(options.url, { max: options.max, applicationName: 'book-api' })
    pool.on('error', (error) => app.log.warn({ err: error }, 'idle PostgreSQL connection failed'))
    app.decorate('db', db)
    app.addReadinessCheck('postgres', () => pool.query('SELECT 1'))
    app.addHook('onClose', () => pool.end())
  },
  { name: 'database', dependencies: ['health'] },
)
