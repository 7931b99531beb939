import { fileURLToPath } from 'node:url'
import { drizzle } from 'drizzle-orm/node-postgres'
import { migrate } from 'drizzle-orm/node-postgres/migrator'
import pg from 'pg'
import * as schema from './schema'

const migrationsFolder = fileURLToPath(new URL('../drizzle', import.meta.url))

export function createDatabase(url: string, options: { max?: number; applicationName?: string } = {}) {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10, application_name: options.applicationName })
  return { pool, db: drizzle(pool, { schema }) }
}
export type Database = ReturnType<typeof createDatabase>['db']

/** Applies every pending migration; safe to run on every start and from several processes. */
export async function migrateDatabase(url: string): Promise<void> {
  const { pool, db } = createDatabase(url, { max: 1, applicationName: 'migrate' })
  try {
    await migrate(db, { migrationsFolder })
  } finally {
    await pool.end()
  }
}
