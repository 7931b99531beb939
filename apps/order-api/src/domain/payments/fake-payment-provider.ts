import { setTimeout as sleep } from 'node:timers/promises'
import type { RedisClient } from '@bookstore/service-kit'
import type { AuthorizeOutcome, CaptureOutcome, PaymentProvider, VoidOutcome } from './payment-provider'

/**
 * What the fake does for one kind of call: `approve`, `decline`, `timeout` (never answers and does
 * nothing) or `twice` (does it, but its first answer comes only after the caller gave up, so the
 * caller's retry gets the answer a second time).
 */
export type FakeBehaviour = 'approve' | 'decline' | 'timeout' | 'twice'

export interface FakePaymentOptions {
  authorize: FakeBehaviour
  capture: FakeBehaviour
  /** How long a `timeout` or a late `twice` answer takes: longer than the caller waits. */
  lateAnswerMs: number
  /** How long the fake keeps an order's record after its last call (a provider's retention). */
  recordTtlSeconds: number
}

/** The fake's state of one order: one hash in the order's hash tag. */
export const fakePaymentKey = (orderId: string) => `fake-payments:{${orderId}}`

/** What the fake holds about an order's payment, for tests to check against the orders. */
export interface FakePaymentRecord {
  authorized: boolean
  captured: boolean
  voided: boolean
  refunded: boolean
  amountCents: number
  /** Calls that reached the provider, per operation (retries included). */
  calls: Record<string, number>
  /** Captures that took money (at most one, whatever the calls). */
  captures: number
}

export async function readFakePayment(redis: RedisClient, orderId: string): Promise<FakePaymentRecord> {
  const raw = await redis.hgetall(fakePaymentKey(orderId))
  const calls: Record<string, number> = {}
  for (const [field, value] of Object.entries(raw))
    if (field.startsWith('calls:')) calls[field.slice(6)] = Number(value)
  return {
    authorized: raw.authorize === 'approved',
    captured: raw.settlement === 'captured',
    voided: raw.settlement === 'voided',
    refunded: raw.refund === 'refunded',
    amountCents: Number(raw.amountCents ?? 0),
    calls,
    captures: Number(raw.captures ?? 0),
  }
}

/**
 * The one fake of the platform (the only mock the tests allow: an external payment service cannot
 * run here). It keeps its state in Redis, so it survives the order-api process that called it
 * (a test kills that process) and tests can read what was charged. Each operation's outcome is
 * stored under the order id the first time (HSETNX): the idempotency key of a real provider.
 */
export function createFakePaymentProvider(redis: RedisClient, options: FakePaymentOptions): PaymentProvider {
  /** Counts a call; every call also renews the record's expiry, so no record stays for good. */
  async function counted(orderId: string, operation: string) {
    const key = fakePaymentKey(orderId)
    await redis.multi().hincrby(key, `calls:${operation}`, 1).expire(key, options.recordTtlSeconds).exec()
  }

  /** Records the first outcome of `operation` and returns whichever is stored. */
  async function once(
    orderId: string,
    operation: string,
    outcome: string,
    extra: Record<string, string | number> = {},
  ) {
    const key = fakePaymentKey(orderId)
    const [[, first], [, stored]] = ((await redis
      .multi()
      .hsetnx(key, operation, outcome)
      .hget(key, operation)
      .exec()) ?? []) as [[unknown, number], [unknown, string | null]]
    if (first === 1 && operation === 'settlement' && outcome === 'captured')
      await redis.hincrby(key, 'captures', 1)
    if (Object.keys(extra).length > 0) await redis.hset(key, extra)
    return stored ?? outcome
  }

  /** Applies the behaviour: the answer now, late (twice: only the first call of the order), or never. */
  async function answer<T>(
    orderId: string,
    operation: string,
    behaviour: FakeBehaviour,
    act: () => Promise<T>,
  ) {
    await counted(orderId, operation)
    if (behaviour === 'timeout') {
      await sleep(options.lateAnswerMs, undefined, { ref: false })
      throw new Error(`fake ${operation} never answers`)
    }
    const first = (await redis.hincrby(fakePaymentKey(orderId), `answered:${operation}`, 1)) === 1
    const result = await act()
    if (behaviour === 'twice' && first) await sleep(options.lateAnswerMs, undefined, { ref: false })
    return result
  }

  return {
    authorize: ({ orderId, amountCents }) =>
      answer(orderId, 'authorize', options.authorize, async (): Promise<AuthorizeOutcome> => {
        const outcome = options.authorize === 'decline' ? 'declined' : 'approved'
        const stored = await once(orderId, 'authorize', outcome, { amountCents })
        return stored === 'approved'
          ? { outcome: 'approved', reference: `fake-auth-${orderId}` }
          : { outcome: 'declined', reason: 'card declined (fake)' }
      }),

    capture: ({ orderId }) =>
      answer(orderId, 'capture', options.capture, async (): Promise<CaptureOutcome> => {
        if (options.capture === 'decline') {
          await once(orderId, 'capture', 'declined')
          return { outcome: 'declined', reason: 'capture declined (fake)' }
        }
        // A capture and a void of one authorization exclude each other, as at a real provider:
        // whichever settles the authorization first wins.
        const settled = await once(orderId, 'settlement', 'captured')
        if (settled !== 'captured') return { outcome: 'declined', reason: 'authorization voided' }
        await redis.hset(fakePaymentKey(orderId), 'capture', 'captured')
        return { outcome: 'captured' }
      }),

    async void({ orderId }): Promise<VoidOutcome> {
      await counted(orderId, 'void')
      const settled = await once(orderId, 'settlement', 'voided')
      if (settled === 'captured') return { outcome: 'already-captured' }
      await redis.hset(fakePaymentKey(orderId), 'void', 'voided')
      return { outcome: 'voided' }
    },

    async refund({ orderId }) {
      await counted(orderId, 'refund')
      await once(orderId, 'refund', 'refunded')
    },
  }
}
