import { createDatabase, type Database, migrateDatabase } from '@bookstore/db'
import type pg from 'pg'
import { createTestDatabase } from './test-database'

export interface TestDatabase {
  url: string
  /** A small pool of the test's own, for checks and for arranging rows. */
  db: Database
  pool: pg.Pool
  /** Ends the pool, then drops the database. */
  drop: () => Promise<void>
}

/** A fresh database with every migration applied, and a Drizzle handle to look into it. */
export async function openTestDatabase(): Promise<TestDatabase> {
  const database = await createTestDatabase()
  await migrateDatabase(database.url)
  const { pool, db } = createDatabase(database.url, { max: 2 })
  return {
    url: database.url,
    db,
    pool,
    async drop() {
      await pool.end()
      await database.drop()
    },
  }
}
