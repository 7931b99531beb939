import { randomUUID } from 'node:crypto'

/** Unique ids keep parallel test files apart on one shared Redis and database. */
export const uniqueId = (prefix: string) => `${prefix}-${randomUUID().slice(0, 12)}`
