import type { OpsAlertEmail } from '@bookstore/events'

/** One Redis node's memory as INFO memory reports it. */
export interface RedisMemory {
  node: string
  usedBytes: number
  /** maxmemory; 0 when the node has no limit. */
  maxBytes: number
}

/** The fields of `INFO memory` this watch reads. */
export function parseMemoryInfo(node: string, info: string): RedisMemory {
  const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? 0)
  return { node, usedBytes: field('used_memory'), maxBytes: field('maxmemory') }
}

export interface RedisMemoryAlert {
  node: string
  usedBytes: number
  maxBytes: number
  ratio: number
  alertRatio: number
}

export interface RedisMemoryWatchDeps {
  /** Every node that holds carts (each master of a Cluster). */
  read: () => Promise<RedisMemory[]>
  /** The fullness of each node, for the `redis_memory_used_ratio` gauge. */
  report: (memory: RedisMemory, ratio: number) => void
  /** The episode alerted on, in Redis (any scheduler instance carries on): the node alerted on. */
  episode: { get(): Promise<string | undefined>; set(node: string): Promise<void>; clear(): Promise<void> }
  alert: (alert: RedisMemoryAlert) => Promise<void>
  recovered: (fullest: RedisMemory & { ratio: number }) => void
}

/**
 * Issue 18: Redis runs with maxmemory and noeviction, so when it is full it refuses writes (every
 * cart change fails) instead of dropping carts. That must never come as a surprise: ONE alert per
 * episode when a node passes `alertRatio` of its limit, and a line when it is back under. A node
 * without a limit is reported as such (it would be evicting or swapping instead).
 */
export async function watchRedisMemory(deps: RedisMemoryWatchDeps, settings: { alertRatio: number }) {
  const nodes = (await deps.read()).map((memory) => ({
    ...memory,
    ratio: memory.maxBytes > 0 ? memory.usedBytes / memory.maxBytes : 0,
  }))
  for (const node of nodes) deps.report(node, node.ratio)
  const fullest = nodes.reduce<(typeof nodes)[number] | undefined>(
    (top, node) => (top === undefined || node.ratio > top.ratio ? node : top),
    undefined,
  )
  const figures = {
    nodes: nodes.length,
    fullestRatio: Math.round((fullest?.ratio ?? 0) * 1000) / 1000,
    unlimited: nodes.filter((node) => node.maxBytes === 0).map((node) => node.node),
  }
  const episode = await deps.episode.get()
  if (fullest !== undefined && fullest.ratio >= settings.alertRatio) {
    if (episode !== undefined) return { ...figures, alerted: false, recovered: false }
    const { node, usedBytes, maxBytes, ratio } = fullest
    await deps.alert({ node, usedBytes, maxBytes, ratio, alertRatio: settings.alertRatio })
    await deps.episode.set(node)
    return { ...figures, alerted: true, recovered: false }
  }
  if (episode === undefined || fullest === undefined) return { ...figures, alerted: false, recovered: false }
  await deps.episode.clear()
  deps.recovered(fullest)
  return { ...figures, alerted: false, recovered: true }
}

const megabytes = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`

/** The e-mail to the operators for one memory alert, and its job id (one per node and day at most). */
export function redisMemoryEmailOf(alert: RedisMemoryAlert, to: string, now: number) {
  const percent = Math.round(alert.ratio * 100)
  const email: OpsAlertEmail = {
    kind: 'ops-alert',
    to,
    alert: 'redis-memory',
    subject: `[bookstore] Redis ${alert.node} is ${percent}% full`,
    lines: [
      `Redis ${alert.node} uses ${megabytes(alert.usedBytes)} of its ${megabytes(alert.maxBytes)} limit (${percent}%, alert at ${Math.round(alert.alertRatio * 100)}%).`,
      'At the limit it refuses writes (noeviction): every cart change fails until memory is freed or the limit raised.',
      'Look at the key count per kind (docs/limits.md), raise maxmemory or add Cluster masters.',
    ],
    raisedAt: now,
  }
  return { email, jobId: `ops-alert-redis-memory-${alert.node}-${new Date(now).toISOString().slice(0, 10)}` }
}
