import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'

/** The server tests create their databases on: DATABASE_URL, else the local PostgreSQL. */
export const adminDatabaseUrl = () =>
  process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

/**
 * A fresh, empty database for one test file, so files run in parallel without sharing rows.
 * Returns its URL and a drop() for afterAll.
 */
export async function createTestDatabase() {
  const name = `test_${randomUUID().replaceAll('-', '').slice(0, 16)}`
  const admin = new pg.Client({ connectionString: adminDatabaseUrl() })
  await admin.connect()
  try {
    await admin.query(`CREATE DATABASE ${name}`)
  } finally {
    await admin.end()
  }
  const url = new URL(adminDatabaseUrl())
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: adminDatabaseUrl() })
      await client.connect()
      try {
        await sessionsGone(client, name)
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      } finally {
        await client.end()
      }
    },
  }
}

/**
 * Waits (up to `timeoutMs`) until no session is connected to the database. A pool's end() resolves
 * before its connections have closed; FORCE would terminate those still closing, and the pool
 * would report that as an error (an uncaught one, where nobody listens). What is left after the
 * wait was never closed, and FORCE ends it.
 */
async function sessionsGone(client: pg.Client, database: string, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const { rows } = await client.query<{ sessions: number }>(
      'SELECT count(*)::int AS sessions FROM pg_stat_activity WHERE datname = $1',
      [database],
    )
    if (rows[0]?.sessions === 0) return
    await sleep(20)
  }
}
