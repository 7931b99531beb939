import {
  type OrderSagaJob,
  orderQueueNames,
  retryingJobOptions,
  type StockReservationJob,
  stockJobId,
} from '@bookstore/events'
import type { RedisClient } from '@bookstore/service-kit'
import { Queue } from 'bullmq'
import type { StockRequests } from '../domain/order-saga'

export interface SagaQueueSettings {
  prefix: string
  attempts: number
  backoffMs: number
}

/** The producers of the saga: requests to book-api, and "move this order on" for order-api's worker. */
export function createSagaQueues(connection: RedisClient, settings: SagaQueueSettings) {
  const jobOptions = retryingJobOptions(settings.attempts, settings.backoffMs)
  const stock = new Queue<StockReservationJob>(orderQueueNames.stockReservations, {
    connection,
    prefix: settings.prefix,
    defaultJobOptions: jobOptions,
  })
  const saga = new Queue<OrderSagaJob>(orderQueueNames.orderSaga, {
    connection,
    prefix: settings.prefix,
    defaultJobOptions: jobOptions,
  })
  // One job per step and order while it waits: a request sent again meanwhile adds nothing.
  const requests: StockRequests = {
    reserve: async (orderId, lines, expiresAt) => {
      await stock.add(
        'reserve',
        { kind: 'reserve', orderId, lines, expiresAt: expiresAt.getTime() },
        {
          jobId: stockJobId('reserve', orderId),
        },
      )
    },
    commit: async (orderId) => {
      await stock.add('commit', { kind: 'commit', orderId }, { jobId: stockJobId('commit', orderId) })
    },
    release: async (orderId, reason) => {
      await stock.add(
        'release',
        { kind: 'release', orderId, reason },
        { jobId: stockJobId('release', orderId) },
      )
    },
  }
  return {
    stock: requests,
    advanceLater: async (orderId: string) => {
      await saga.add('advance', { kind: 'advance', orderId })
    },
    queues: [stock, saga] as const,
  }
}
