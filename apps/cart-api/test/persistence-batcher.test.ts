import type { CartCommit } from '@bookstore/events'
import { describe, expect, it } from 'vitest'
import { createPersistenceBatcher } from '../src/domain/persistence-batcher'

const commit = (userId: string, version: number, committedAt = version): CartCommit => ({
  userId,
  version,
  committedAt,
})

describe('persistence batcher', () => {
  it('sends the commits of one turn as one job, one commit per cart with the newest version', async () => {
    const jobs: CartCommit[][] = []
    const batcher = createPersistenceBatcher({
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

  it('gathers the commits that arrive while a job is in flight into the next job', async () => {
    const jobs: CartCommit[][] = []
    let finishFirst = () => {}
    const batcher = createPersistenceBatcher({
      enqueue: (commits) => {
        jobs.push(commits)
        return jobs.length === 1 ? new Promise<void>((resolve) => (finishFirst = resolve)) : Promise.resolve()
      },
      onError: () => {},
    })
    const first = batcher.add(commit('a', 1))
    await new Promise((resolve) => setImmediate(resolve))
    expect(jobs).toEqual([[commit('a', 1)]])
    const later = [batcher.add(commit('b', 1)), batcher.add(commit('a', 2)), batcher.add(commit('c', 1))]
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(jobs).toHaveLength(1) // still waiting for the first job
    finishFirst()
    await Promise.all([first, ...later])
    expect(jobs[1]).toEqual([commit('b', 1), commit('a', 2), commit('c', 1)])
  })

  it('sends a full batch at once, and drain sends the rest', async () => {
    const jobs: CartCommit[][] = []
    const batcher = createPersistenceBatcher({
      maxCommits: 3,
      enqueue: async (commits) => jobs.push(commits),
      onError: () => {},
    })
    const full = ['a', 'b', 'c'].map((userId) => batcher.add(commit(userId, 1)))
    expect(jobs).toHaveLength(1)
    const rest = batcher.add(commit('d', 1))
    await batcher.drain()
    await Promise.all([...full, rest])
    expect(jobs[1]).toEqual([commit('d', 1)])
  })

  it('reports a failed enqueue instead of failing the caller', async () => {
    const failed: CartCommit[] = []
    const batcher = createPersistenceBatcher({
      enqueue: async () => {
        throw new Error('queue unreachable')
      },
      onError: (_error, commits) => failed.push(...commits),
    })
    await expect(batcher.add(commit('a', 1))).resolves.toBeUndefined()
    expect(failed).toEqual([commit('a', 1)])
  })

  it('bounds the adds in flight: a full batch that would pile onto them goes to the spool at once', async () => {
    const finish: Array<() => void> = []
    const enqueued: CartCommit[][] = []
    const spooled: CartCommit[][] = []
    const batcher = createPersistenceBatcher({
      maxCommits: 2,
      maxInFlight: 2,
      enqueue: (commits) => {
        enqueued.push(commits)
        return new Promise<void>((resolve) => finish.push(resolve))
      },
      onError: () => {},
      onOverflow: async (commits) => spooled.push(commits),
    })
    const first = [batcher.add(commit('a', 1)), batcher.add(commit('b', 1))]
    const second = [batcher.add(commit('c', 1)), batcher.add(commit('d', 1))]
    expect(enqueued).toHaveLength(2) // both slow adds in flight
    // The third full batch does not wait behind them: it is spooled, and its callers answered.
    await Promise.all([batcher.add(commit('e', 1)), batcher.add(commit('f', 1))])
    expect(spooled).toEqual([[commit('e', 1), commit('f', 1)]])
    expect(enqueued).toHaveLength(2)
    for (const done of finish) done()
    await Promise.all([...first, ...second])
  })
})
