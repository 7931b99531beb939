import type { CartCommit } from '@bookstore/events'
import { describe, expect, it } from 'vitest'
import { createPersistenceBatcher } from '../src/domain/persistence-batcher'

const commit = (userId: string, version: number, committedAt = version): CartCommit => ({
  userId,
  version,
  committedAt,
})

describe('persistence batcher', () => {
  it('sends one window of commits as one job, one commit per cart with the newest version', async () => {
    const jobs: CartCommit[][] = []
    const batcher = createPersistenceBatcher({
      windowMs: 5,
      enqueue: async (commits) => jobs.push(commits),
      onError: () => {},
    })
    await Promise.all([
      batcher.add(commit('a', 1, 100)),
      batcher.add(commit('b', 7, 101)),
      batcher.add(commit('a', 3, 103)),
      batcher.add(commit('a', 2, 102)),
    ])
    expect(jobs).toEqual([[commit('a', 3, 100), commit('b', 7, 101)]])
    await batcher.add(commit('a', 4))
    expect(jobs[1]).toEqual([commit('a', 4)])
  })

  it('sends a full batch at once without waiting for the window', async () => {
    const jobs: CartCommit[][] = []
    const batcher = createPersistenceBatcher({
      windowMs: 60_000,
      maxCommits: 3,
      enqueue: async (commits) => jobs.push(commits),
      onError: () => {},
    })
    await Promise.all(['a', 'b', 'c'].map((userId) => batcher.add(commit(userId, 1))))
    expect(jobs).toHaveLength(1)
    const pending = batcher.add(commit('d', 1))
    await batcher.drain()
    await pending
    expect(jobs[1]).toEqual([commit('d', 1)])
  })

  it('reports a failed enqueue instead of failing the caller', async () => {
    const failed: CartCommit[] = []
    const batcher = createPersistenceBatcher({
      windowMs: 0,
      enqueue: async () => {
        throw new Error('queue unreachable')
      },
      onError: (_error, commits) => failed.push(...commits),
    })
    await expect(batcher.add(commit('a', 1))).resolves.toBeUndefined()
    expect(failed).toEqual([commit('a', 1)])
  })
})
