/**
 * The payment provider as the saga sees it (SPEC O3). Every call carries the order id as the
 * provider's idempotency key: the same call sent again (a retry after a timeout, a job taken over
 * from a dead worker) is answered with the first call's outcome and never charges twice.
 */
export interface PaymentProvider {
  /** Reserves the amount on the shopper's means of payment. */
  authorize(request: { orderId: string; amountCents: number; currency: 'USD' }): Promise<AuthorizeOutcome>
  /** Takes the authorized amount. */
  capture(request: { orderId: string; reference: string; amountCents: number }): Promise<CaptureOutcome>
  /** Lets an authorization go. A capture may have happened meanwhile (its answer lost): it says so. */
  void(request: { orderId: string; reference: string }): Promise<VoidOutcome>
  /** Pays a capture back, whole. */
  refund(request: { orderId: string; reference: string; amountCents: number }): Promise<void>
}

export type AuthorizeOutcome =
  | { outcome: 'approved'; reference: string }
  | { outcome: 'declined'; reason: string }
export type CaptureOutcome = { outcome: 'captured' } | { outcome: 'declined'; reason: string }
export type VoidOutcome = { outcome: 'voided' } | { outcome: 'already-captured' }

/** The provider did not answer in time: the call may or may not have happened (retry with the same key). */
export class PaymentTimeoutError extends Error {
  override name = 'PaymentTimeoutError'
}

/** Every call of `provider` bounded by `timeoutMs`: a late answer is a timeout, and is retried. */
export function withTimeouts(provider: PaymentProvider, timeoutMs: number): PaymentProvider {
  const bounded =
    <Args, Result>(operation: string, call: (args: Args) => Promise<Result>) =>
    (args: Args): Promise<Result> => {
      let timer: NodeJS.Timeout | undefined
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new PaymentTimeoutError(`payment ${operation} did not answer within ${timeoutMs} ms`)),
          timeoutMs,
        )
      })
      return Promise.race([call(args), timeout]).finally(() => clearTimeout(timer))
    }
  return {
    authorize: bounded('authorize', (request) => provider.authorize(request)),
    capture: bounded('capture', (request) => provider.capture(request)),
    void: bounded('void', (request) => provider.void(request)),
    refund: bounded('refund', (request) => provider.refund(request)),
  }
}
