import type { CartPersistJob } from '@bookstore/events'
import { describe, expect, it } from 'vitest'
import { createPersistenceBatcher } from '../src/domain/persistence-batcher'

describe('persistence batcher', () => {
  it('enqueues one turn of changes in one call, one job per cart with the newest version', async () => {
    const calls: CartPersistJob[][] = []
    const batcher = createPersistenceBatcher({
      addBulk: async (jobs) => calls.push(jobs),
      onError: () => {},
    })
    await Promise.all([
      batcher.enqueue({ userId: 'a', version: 1, committedAt: 100 }),
      batcher.enqueue({ userId: 'b', version: 7, committedAt: 101 }),
      batcher.enqueue({ userId: 'a', version: 3, committedAt: 103 }),
      batcher.enqueue({ userId: 'a', version: 2, committedAt: 102 }),
    ])
    expect(calls).toEqual([
      [
        { userId: 'a', version: 3, committedAt: 100 },
        { userId: 'b', version: 7, committedAt: 101 },
      ],
    ])
    await batcher.enqueue({ userId: 'a', version: 4, committedAt: 104 })
    expect(calls[1]).toEqual([{ userId: 'a', version: 4, committedAt: 104 }])
  })

  it('reports a failed enqueue instead of failing the caller', async () => {
    const failed: CartPersistJob[] = []
    const batcher = createPersistenceBatcher({
      addBulk: async () => {
        throw new Error('queue unreachable')
      },
      onError: (_error, jobs) => failed.push(...jobs),
    })
    await expect(batcher.enqueue({ userId: 'a', version: 1, committedAt: 1 })).resolves.toBeUndefined()
    expect(failed).toEqual([{ userId: 'a', version: 1, committedAt: 1 }])
  })
})
