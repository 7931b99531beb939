import * as db from '@bookstore/db'
import { is } from 'drizzle-orm'
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../src'

let database: Awaited<ReturnType<typeof createTestDatabase>>
beforeAll(async () => {
  database = await createTestDatabase()
  await db.migrateDatabase(database.url)
})
afterAll(() => database.drop())

// The serial types are bigint and integer columns with a default, as information_schema names them.
const storedType = (sqlType: string) => ({ bigserial: 'bigint', serial: 'integer' })[sqlType] ?? sqlType

const describeColumns = (columns: { name: string; type: string; nullable: boolean }[]) =>
  columns.map((column) => `${column.name} ${column.type}${column.nullable ? '' : ' not null'}`).sort()

describe('the migrations', () => {
  const tables = Object.values(db).flatMap((value) => (is(value, PgTable) ? [value] : []))

  it('create every column of the Drizzle schema, as it declares it (a column without its migration fails here)', async () => {
    expect(tables.length).toBeGreaterThan(5)
    const { pool } = db.createDatabase(database.url, { max: 1 })
    try {
      for (const table of tables) {
        const config = getTableConfig(table)
        const { rows } = await pool.query<{ column_name: string; data_type: string; is_nullable: string }>(
          `SELECT column_name, data_type, is_nullable FROM information_schema.columns
           WHERE table_schema = 'public' AND table_name = $1`,
          [config.name],
        )
        const migrated = rows.map((row) => ({
          name: row.column_name,
          type: row.data_type,
          nullable: row.is_nullable === 'YES',
        }))
        const declared = config.columns.map((column) => ({
          name: column.name,
          type: storedType(column.getSQLType()),
          nullable: !column.notNull,
        }))
        expect(describeColumns(migrated), config.name).toEqual(describeColumns(declared))
      }
    } finally {
      await pool.end()
    }
  })
})
