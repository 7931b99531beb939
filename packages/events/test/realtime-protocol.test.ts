import { Check } from 'typebox/value'
import { describe, expect, it } from 'vitest'
import { ClientMessage, emptyCart, ServerMessage } from '../src'

describe('realtime protocol schemas', () => {
  it('accepts hello and resync with or without a version, and nothing else from clients', () => {
    expect(Check(ClientMessage, { type: 'hello' })).toBe(true)
    expect(Check(ClientMessage, { type: 'hello', lastVersion: null })).toBe(true)
    expect(Check(ClientMessage, { type: 'resync', lastVersion: 4 })).toBe(true)
    expect(Check(ClientMessage, { type: 'hello', lastVersion: -1 })).toBe(false)
    expect(Check(ClientMessage, { type: 'subscribe', userId: 'someone-else' })).toBe(false)
  })

  it('lets events carry catalog notices, and fields and operations it does not name', () => {
    const cart = { ...emptyCart('user-1', 3), updatedAt: 1 }
    const event = {
      type: 'cart.changed',
      version: 3,
      op: 'book-updated',
      cart,
      notices: [{ kind: 'price-changed', bookId: 'book-1', title: 'Dune', fromCents: 100, toCents: 120 }],
    }
    expect(Check(ServerMessage, event)).toBe(true)
    expect(Check(ServerMessage, { ...event, op: 'a-later-operation', aLaterField: 1 })).toBe(true)
    // A notice kind from a later version passes too: the client skips it, not the whole change.
    expect(Check(ServerMessage, { ...event, notices: [{ kind: 'a-later-notice', what: 1 }] })).toBe(true)
    expect(Check(ServerMessage, { ...event, notices: [{ what: 1 }] })).toBe(false)
    expect(Check(ServerMessage, { type: 'snapshot', version: 3, cart })).toBe(true)
    expect(Check(ServerMessage, { type: 'up-to-date', version: 3 })).toBe(true)
    expect(Check(ServerMessage, { type: 'cart.changed', op: 'add-item', cart })).toBe(false)
  })
})
