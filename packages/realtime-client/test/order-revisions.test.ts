import type { ServerOrderChanged } from '@bookstore/events'
import { describe, expect, it } from 'vitest'
import { OrderRevisions } from '../src'

const message = (id: string, revision: number) =>
  ({ type: 'order.changed', from: null, order: { id, revision } }) as unknown as ServerOrderChanged

describe('OrderRevisions', () => {
  it('applies only a newer revision of each order: duplicates and late ones are ignored', () => {
    const revisions = new OrderRevisions()
    expect(revisions.apply(message('a', 1))).toBe(true)
    expect(revisions.apply(message('a', 3))).toBe(true)
    expect(revisions.apply(message('a', 2))).toBe(false)
    expect(revisions.apply(message('a', 3))).toBe(false)
    expect(revisions.apply(message('b', 1))).toBe(true)
    expect([revisions.revisionOf('a'), revisions.revisionOf('b'), revisions.revisionOf('c')]).toEqual([
      3,
      1,
      undefined,
    ])
  })
})
