import { type Cart, emptyCart, type ServerCartChanged } from '@bookstore/events'
import { describe, expect, it } from 'vitest'
import { CartVersions } from '../src'

const cartAt = (version: number): Cart => ({ ...emptyCart('user-1', version), updatedAt: 1 })
const event = (version: number): ServerCartChanged => ({
  type: 'cart.changed',
  version,
  op: 'add-item',
  cart: cartAt(version),
})

describe('CartVersions (RT3)', () => {
  it('applies newer events in order and ignores duplicates and stale ones', () => {
    const versions = new CartVersions()
    expect(versions.applySnapshot({ type: 'snapshot', version: 3, cart: cartAt(3) })).toBe('applied')
    expect(versions.applyEvent(event(4))).toBe('applied')
    expect(versions.applyEvent(event(4))).toBe('ignored')
    expect(versions.applyEvent(event(2))).toBe('ignored')
    expect(versions.version).toBe(4)
  })

  it('reports a gap (missed versions) after applying the newer, complete cart', () => {
    const versions = new CartVersions({ version: 4 })
    expect(versions.applyEvent(event(7))).toBe('applied-after-gap')
    expect(versions.cart?.version).toBe(7)
  })

  it('ignores a snapshot older than an event already applied (they cross on the wire)', () => {
    const versions = new CartVersions()
    expect(versions.applyEvent(event(6))).toBe('applied')
    expect(versions.applySnapshot({ type: 'snapshot', version: 5, cart: cartAt(5) })).toBe('ignored')
    expect(versions.applySnapshot({ type: 'snapshot', version: 6, cart: cartAt(6) })).toBe('ignored')
    expect(versions.isCurrent({ type: 'up-to-date', version: 6 })).toBe(true)
  })

  it('takes the snapshot at its own version when it held only the version number', () => {
    const versions = new CartVersions({ version: 5 })
    expect(versions.applySnapshot({ type: 'snapshot', version: 5, cart: cartAt(5) })).toBe('applied')
    expect(versions.cart?.version).toBe(5)
  })
})
