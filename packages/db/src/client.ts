import { fileURLToPath } from 'node:url'
import { drizzle } from 'drizzle-orm/postgres-js'
import { migrate } from 'drizzle-orm/postgres-js/migrator'
import postgres from 'postgres'
import * as schema from './schema'

const migrationsFolder = fileURLToPath(new URL('../drizzle', import.meta.url))

/** Statements outside Drizzle (locks, VACUUM, a test's trigger) and the end of every connection. */
export interface DatabasePool {
  /** Without params, one simple-protocol call: several statements separated by `;` are allowed. */
  query<Row extends object = Record<string, unknown>>(
    text: string,
    params?: postgres.ParameterOrJSON<never>[],
  ): Promise<{ rows: Row[] }>
  /** Resolves once running queries have finished and every connection is closed. */
  end(): Promise<void>
}

/**
 * postgres.js connections (opened on demand, at most `max`) and Drizzle over them. Notices
 * ("already exists, skipping" of an idempotent migration) are not worth a console line. No
 * reconnect backoff: postgres.js would otherwise wait up to 20 s (growing with every failed
 * connect) before the first query after an outage; the callers pace their own retries.
 */
export function createDatabase(url: string, options: { max?: number; applicationName?: string } = {}) {
  const sql = postgres(url, {
    max: options.max ?? 10,
    ...(options.applicationName ? { connection: { application_name: options.applicationName } } : {}),
    onnotice: () => {},
    backoff: () => 0,
  })
  const pool: DatabasePool = {
    query: async <Row extends object>(text: string, params?: postgres.ParameterOrJSON<never>[]) => ({
      rows: [...(await sql.unsafe<Row[]>(text, params))],
    }),
    end: () => sql.end(),
  }
  return { pool, db: drizzle(sql, { schema }) }
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
