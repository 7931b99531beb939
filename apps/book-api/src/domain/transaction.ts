import type { Database } from '@bookstore/db'

/** The handle Drizzle passes to a transaction's callback. */
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0]
