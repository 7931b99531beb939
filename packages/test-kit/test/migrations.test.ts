import { cartItems, carts, createDatabase, migrateDatabase } from '@bookstore/db'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../src'

// @bookstore/db's migrations, tested here: test-kit migrates every test database with them, so db
// cannot devDepend on test-kit for its test databases (a package cycle).

let database: Awaited<ReturnType<typeof createTestDatabase>>
beforeAll(async () => {
  database = await createTestDatabase()
})
afterAll(() => database.drop())

describe('migrations', () => {
  it('create the cart tables on an empty database, and run again as a no-op', async () => {
    // several instances starting at once
    await Promise.all([
      migrateDatabase(database.url),
      migrateDatabase(database.url),
      migrateDatabase(database.url),
    ])
    await migrateDatabase(database.url)
    const { pool, db } = createDatabase(database.url)
    try {
      await db
        .insert(carts)
        .values({ userId: 'u1', version: 3, totalCents: 2500, itemCount: 2, updatedAt: new Date() })
      await db.insert(cartItems).values({
        userId: 'u1',
        bookId: 'b1',
        title: 'Dune',
        unitPriceCents: 1250,
        quantity: 2,
        addedAt: new Date(),
      })
      // money stays integer cents, versions are 64-bit
      await db
        .update(carts)
        .set({ version: 2 ** 40 })
        .where(eq(carts.userId, 'u1'))
      expect(await db.select().from(carts)).toMatchObject([
        { userId: 'u1', version: 2 ** 40, totalCents: 2500 },
      ])
      // a cart's items go with it
      await db.delete(carts).where(eq(carts.userId, 'u1'))
      expect(await db.select().from(cartItems)).toEqual([])
      // an item cannot point to a cart that does not exist
      await expect(
        db.insert(cartItems).values({
          userId: 'nobody',
          bookId: 'b1',
          title: 'x',
          unitPriceCents: 1,
          quantity: 1,
          addedAt: new Date(),
        }),
      ).rejects.toThrow()
    } finally {
      await pool.end()
    }
  })
})
