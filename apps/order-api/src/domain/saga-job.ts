import { OrderSagaJob } from '@bookstore/events'
import { Check } from 'typebox/value'
import type { OrderSaga } from './order-saga'
import type { OrderStore } from './order-store'

/** A job of the saga queue that is not one: no retry will make it one (parked at once). */
export class InvalidSagaJobError extends Error {
  override name = 'InvalidSagaJobError'
}

export interface SagaJobDeps {
  saga: OrderSaga
  store: OrderStore
  /** Hands one order to the saga on its own job (the sweep fans out this way). */
  advanceLater: (orderId: string) => Promise<void>
  sweep: { expiryGraceMs: number; staleMs: number; batchSize: number }
  now?: () => number
}

/** One job of `{order-saga}`: an answer of book-api, a request to move an order on, or the sweep. */
export async function runSagaJob(deps: SagaJobDeps, job: { id: string; data: unknown }) {
  if (!Check(OrderSagaJob, job.data)) throw new InvalidSagaJobError(`job ${job.id} is not an order saga job`)
  const data = job.data
  switch (data.kind) {
    case 'stock-result':
      return deps.saga.advance(data.orderId, data)
    case 'advance':
      return deps.saga.advance(data.orderId)
    case 'sweep-orders': {
      const now = (deps.now ?? Date.now)()
      const orderIds = await deps.store.sweepCandidates(
        new Date(now - deps.sweep.expiryGraceMs),
        new Date(now - deps.sweep.staleMs),
        deps.sweep.batchSize,
      )
      for (const orderId of orderIds) await deps.advanceLater(orderId)
      return { handedBack: orderIds.length }
    }
  }
}
