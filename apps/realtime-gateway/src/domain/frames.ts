import { type Cart, emptyCart, ServerOrderChanged } from '@bookstore/events'
import { Check } from 'typebox/value'

/**
 * The bytes sent to sockets, built once per message and instance, never per socket: a change is
 * parsed once (to learn its version and time), and the published JSON is forwarded as it is with
 * the version added in front, so fields the gateway does not know pass through untouched.
 */
export interface Frame {
  version: number
  /** When the change was committed (epoch ms), for the delivery latency; undefined if unknown. */
  committedAt: number | undefined
  data: Buffer
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * The frame for a message published on a user's cart channel, or undefined when it is not a cart
 * event of that user (a relay drops what it cannot vouch for instead of confusing clients).
 */
export function cartEventFrame(raw: string, userId: string): Frame | undefined {
  let event: unknown
  try {
    event = JSON.parse(raw)
  } catch {
    return undefined
  }
  if (!isRecord(event) || typeof event.type !== 'string' || !isRecord(event.cart)) return undefined
  const { version, userId: owner, updatedAt } = event.cart
  if (!Number.isSafeInteger(version) || (version as number) < 0 || owner !== userId) return undefined
  const trimmed = raw.trim()
  const text =
    'version' in event ? trimmed : `{"version":${version}${trimmed.length > 2 ? ',' : ''}${trimmed.slice(1)}`
  return {
    version: version as number,
    committedAt: typeof updatedAt === 'number' ? updatedAt : undefined,
    data: Buffer.from(text),
  }
}

/** The snapshot frame from what Redis holds: the cart JSON as stored (absent: empty at the version). */
export function snapshotFrame(userId: string, cartJson: string | null, storedVersion: string | null): Frame {
  if (cartJson !== null) {
    const cart = JSON.parse(cartJson) as Cart
    return {
      version: cart.version,
      committedAt: undefined,
      data: Buffer.from(`{"type":"snapshot","version":${cart.version},"cart":${cartJson}}`),
    }
  }
  const cart = emptyCart(userId, Number(storedVersion ?? 0))
  return {
    version: cart.version,
    committedAt: undefined,
    data: Buffer.from(JSON.stringify({ type: 'snapshot', version: cart.version, cart })),
  }
}

export const upToDateFrame = (version: number): Buffer =>
  Buffer.from(`{"type":"up-to-date","version":${version}}`)

/**
 * The bytes of a message published on a user's order channel (SPEC O2), forwarded as published,
 * or undefined when it is not an order event of that user: a shopper never sees another's order.
 */
export function orderEventFrame(raw: string, userId: string): Buffer | undefined {
  let event: unknown
  try {
    event = JSON.parse(raw)
  } catch {
    return undefined
  }
  if (!Check(ServerOrderChanged, event) || event.order.userId !== userId) return undefined
  return Buffer.from(raw)
}
