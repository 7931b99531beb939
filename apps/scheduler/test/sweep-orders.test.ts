import { orderQueueNames } from '@bookstore/events'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startStack, type TestStack } from './harness'

describe('sweep-orders (SPEC O1: no hold outlives its expiry)', () => {
  let stack: TestStack

  beforeAll(async () => {
    stack = await startStack()
  })
  afterAll(() => stack?.close())

  it('asks book-api to release expired holds and order-api to settle stuck orders, at most one of each waiting', async () => {
    const scheduler = await stack.startScheduler()
    expect(await stack.runSchedule(scheduler, 'sweep-orders')).toEqual({ enqueued: 2 })
    const holds = await stack.queue(orderQueueNames.stockReservations).getJobs(['waiting'])
    const orders = await stack.queue(orderQueueNames.orderSaga).getJobs(['waiting'])
    expect(holds.map((job) => [job.name, job.data])).toEqual([['expire-holds', { kind: 'expire-holds' }]])
    expect(orders.map((job) => [job.name, job.data])).toEqual([['sweep-orders', { kind: 'sweep-orders' }]])
  })
})
