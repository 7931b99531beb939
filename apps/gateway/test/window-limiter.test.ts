import { describe, expect, it } from 'vitest'
import { createWindowLimiter, type WindowCounterStore } from '../src/domain/window-limiter'

/** The shared counters as Redis keeps them, with a log of every call (what the limiter costs). */
function memoryStore() {
  const counts = new Map<string, number>()
  const calls: Array<{ key: string; amount: number }> = []
  const store: WindowCounterStore = {
    async add(key, amount) {
      calls.push({ key, amount })
      const count = (counts.get(key) ?? 0) + amount
      counts.set(key, count)
      return count
    },
  }
  return { store, counts, calls }
}

const statuses = async (hits: Array<Promise<{ allowed: boolean }>>) =>
  (await Promise.all(hits)).map((decision) => (decision.allowed ? 'ok' : 'refused'))

describe('the window limiter', () => {
  it('decides a small limit exactly, across two instances sharing the counters', async () => {
    const { store } = memoryStore()
    const options = { max: 10, windowMs: 60_000, localShare: 0.1 }
    const instances = [
      createWindowLimiter(store, options, () => 5),
      createWindowLimiter(store, options, () => 5),
    ]
    const answers: string[] = []
    for (let index = 0; index < 14; index++)
      answers.push(...(await statuses([instances[index % 2]?.hit('k') ?? Promise.reject()])))
    expect(answers).toEqual([...Array(10).fill('ok'), ...Array(4).fill('refused')])
  })

  it('counts a key far from its limit in memory and adds it to the shared counter in one call per flush', async () => {
    const { store, counts, calls } = memoryStore()
    const limiter = createWindowLimiter(store, { max: 1_000_000, windowMs: 60_000, localShare: 0.1 }, () => 5)
    for (let index = 0; index < 500; index++) await limiter.hit('busy')
    expect(calls).toEqual([])
    await limiter.flush()
    expect(calls).toEqual([{ key: 'busy:0', amount: 500 }])
    expect(counts.get('busy:0')).toBe(500)
  })

  it('turns exact when the shared count nears the limit: other instances used it up', async () => {
    const { store, counts } = memoryStore()
    const limiter = createWindowLimiter(store, { max: 1000, windowMs: 60_000, localShare: 0.1 }, () => 5)
    for (let index = 0; index < 50; index++) await limiter.hit('k')
    counts.set('k:0', 990) // the rest of the fleet's counts arrive
    await limiter.flush() // 1,040: over the limit
    expect((await limiter.hit('k')).allowed).toBe(false)
  })

  it('starts a new counter with each window, says how long until it, and forgets old keys', async () => {
    const { store, calls } = memoryStore()
    let time = 1_000
    const limiter = createWindowLimiter(store, { max: 2, windowMs: 10_000, localShare: 0 }, () => time)
    expect(await statuses([limiter.hit('k'), limiter.hit('k'), limiter.hit('k')])).toEqual([
      'ok',
      'ok',
      'refused',
    ])
    const refused = await limiter.hit('k')
    expect(refused).toEqual({ allowed: false, retryAfterSeconds: 9 })
    time = 10_500
    expect((await limiter.hit('k')).allowed).toBe(true)
    expect(calls.at(-1)?.key).toBe('k:1')
    time = 30_000
    await limiter.flush()
    expect(limiter.size()).toBe(0)
  })

  it('flushes the counts of a window that ended to that window', async () => {
    const { store, counts } = memoryStore()
    let time = 0
    const limiter = createWindowLimiter(store, { max: 1000, windowMs: 1000, localShare: 0.5 }, () => time)
    for (let index = 0; index < 10; index++) await limiter.hit('k')
    time = 1500
    for (let index = 0; index < 3; index++) await limiter.hit('k')
    await limiter.flush()
    expect(counts.get('k:0')).toBe(10)
    expect(counts.get('k:1')).toBe(3)
  })
})
