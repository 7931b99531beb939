/**
 * A benchmark's own access to its database (the bench's SQL, and drizzle for writing rows the way
 * the apps do), kept in this one file so that a change of database driver touches only it.
 */
import { createDatabase, type Database } from '@bookstore/db'
import { onCleanUp } from './cleanup'

export interface BenchDatabase {
  /** Drizzle over the apps' schema. */
  db: Database
  /** Plain SQL; returns the rows. */
  query: <Row extends Record<string, unknown>>(text: string, params?: unknown[]) => Promise<Row[]>
  close: () => Promise<void>
}

/** A pool of `max` connections to `url`, closed at clean-up at the latest. */
export function openBenchDatabase(url: string, max = 2): BenchDatabase {
  const { pool, db } = createDatabase(url, { max, applicationName: 'bench' })
  let closed: Promise<void> | undefined
  const close = () => {
    closed ??= pool.end()
    return closed
  }
  onCleanUp('bench database pool', close)
  return {
    db,
    query: async <Row extends Record<string, unknown>>(text: string, params?: unknown[]) =>
      (await pool.query<Row>(text, params)).rows,
    close,
  }
}
