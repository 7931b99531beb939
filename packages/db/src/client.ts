import { fileURLToPath } from 'node:url'
import { drizzle } from 'drizzle-orm/node-postgres'
import { migrate } from 'drizzle-orm/node-postgres/migrator'
import pg from 'pg'
import * as schema from './schema'

const migrationsFolder = fileURLToPath(new URL('../drizzle', import.meta.url))

export function createDatabase(url: string, options: { max?: number; applicationName?: string } = {}) {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    application_name: options.applicationName,
  })
  return { pool, db: drizzle(pool, { schema }) }
}
export type Database = ReturnType<typeof createDatabase>['db']

/** Any fixed number: the advisory lock that lets one migrating process through at a time. */
const MIGRATION_LOCK = 7_243_001

/**
 * Applies every pending migration; safe to run on every start of every instance. The pool has one
 * connection, so the advisory lock and the migration run on the same session.
 */
export async function migrateDatabase(url: string): Promise<void> {
  const { pool, db } = createDatabase(url, { max: 1, applicationName: 'migrate' })
  try {
    await pool.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK])
    await migrate(db, { migrationsFolder })
    await pool.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK])
  } finally {
    await pool.end()
  }
}

/** The handle Drizzle passes to a transaction's callback. */
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0]
