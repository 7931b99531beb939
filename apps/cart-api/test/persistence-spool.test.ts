import type { CartCommit } from '@bookstore/events'
import { describe, expect, it } from 'vitest'
import { createPersistenceSpool } from '../src/domain/persistence-spool'

const commit = (userId: string, version: number, committedAt = version): CartCommit => ({
  userId,
  version,
  committedAt,
})

describe('persistence spool (SPEC P5)', () => {
  it('keeps one commit per cart, bounded by carts, and puts them on the queue once it takes jobs again', async () => {
    let queueUp = false
    const jobs: CartCommit[][] = []
    const dropped: CartCommit[] = []
    const spool = createPersistenceSpool({
      enqueue: async (commits) => {
        if (!queueUp) throw new Error('queue unreachable')
        jobs.push(commits)
      },
      maxUsers: 2,
      retryMs: 10,
      onDropped: (lost) => dropped.push(lost),
      onRetryFailed: () => {},
      onReplayed: () => {},
    })
    spool.add([commit('a', 1, 100), commit('b', 1)])
    spool.add([commit('a', 3, 103), commit('c', 1)])
    expect(spool.size()).toBe(2)
    expect(dropped).toEqual([commit('c', 1)])
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(jobs).toEqual([]) // still refused: nothing lost, nothing sent
    queueUp = true
    await expect.poll(() => spool.size(), { timeout: 5000 }).toBe(0)
    expect(jobs).toEqual([[commit('a', 3, 100), commit('b', 1)]])
    expect(await spool.close()).toBe(0)
  })

  it('marks its carts durably before the caller goes on, and takes a mark out only once its commit is on the queue', async () => {
    let queueUp = false
    const marks = new Map<string, number>()
    let clock = 1000
    const spool = createPersistenceSpool({
      enqueue: async () => {
        if (!queueUp) throw new Error('queue unreachable')
      },
      maxUsers: 10,
      retryMs: 10,
      now: () => clock,
      durable: {
        mark: async (userIds, at) => {
          for (const userId of userIds) marks.set(userId, Math.max(marks.get(userId) ?? 0, at))
        },
        release: async (userIds, upTo) => {
          for (const userId of userIds) if ((marks.get(userId) ?? Infinity) <= upTo) marks.delete(userId)
        },
      },
      onDropped: () => {},
      onRetryFailed: () => {},
      onReplayed: () => {},
    })
    await spool.add([commit('a', 1), commit('b', 1)])
    expect([...marks.keys()]).toEqual(['a', 'b'])
    clock = 2000
    queueUp = true
    await expect.poll(() => spool.size(), { timeout: 5000 }).toBe(0)
    expect(marks.size).toBe(0)
    expect(await spool.close()).toBe(0)
  })
})
