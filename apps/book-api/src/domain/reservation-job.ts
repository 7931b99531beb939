import { StockReservationJob, type StockResultJob } from '@bookstore/events'
import { Check } from 'typebox/value'
import type { StockReservations } from './stock-reservations'

/** A job of the reservations queue that is not one: no retry will make it one (parked at once). */
export class InvalidReservationJobError extends Error {
  override name = 'InvalidReservationJobError'
}

export interface ReservationJobDeps {
  reservations: StockReservations
  /** Puts book-api's answers on the saga queue (order-api's). */
  answer: (results: StockResultJob[]) => Promise<void>
  /** Holds released per expiry sweep job (the next sweep takes the rest). */
  expireBatchSize: number
}

/**
 * One job of `{stock-reservations}` (docs/orders.md): the step in one transaction, then its answer
 * on `{order-saga}`. A crash between the two leaves the job to be retried or taken over; the step
 * is idempotent by order id, so the retry answers the same without touching stock again.
 */
export async function runReservationJob(
  deps: ReservationJobDeps,
  job: { id: string; data: unknown },
): Promise<{ answered: number }> {
  if (!Check(StockReservationJob, job.data))
    throw new InvalidReservationJobError(`job ${job.id} is not a stock reservation job`)
  const data = job.data
  switch (data.kind) {
    case 'reserve': {
      const outcome = await deps.reservations.reserve(data.orderId, data.lines, new Date(data.expiresAt))
      await deps.answer([{ kind: 'stock-result', orderId: data.orderId, step: 'reserve', ...outcome }])
      return { answered: 1 }
    }
    case 'commit': {
      const outcome = await deps.reservations.commit(data.orderId)
      await deps.answer([{ kind: 'stock-result', orderId: data.orderId, step: 'commit', ...outcome }])
      return { answered: 1 }
    }
    case 'release': {
      const outcome = await deps.reservations.release(data.orderId, data.reason)
      await deps.answer([{ kind: 'stock-result', orderId: data.orderId, step: 'release', ...outcome }])
      return { answered: 1 }
    }
    case 'expire-holds': {
      const expired = await deps.reservations.expireHolds(deps.expireBatchSize)
      await deps.answer(
        expired.map((orderId) => ({ kind: 'stock-result', orderId, step: 'expire', status: 'released' })),
      )
      return { answered: expired.length }
    }
  }
}
