/**
 * CPU accounting, to see who is the bottleneck. The server's share is read from Linux /proc (in
 * clock ticks, USER_HZ = 100) and left out elsewhere; Redis' share comes from INFO cpu.
 */
import { readFileSync } from 'node:fs'
import type { Redis } from 'ioredis'

const clockTicks = 100

/** Shares of one core during a piece of work, in percent (100 = one core busy all the time). */
export interface CpuShares {
  server?: number
  redis: number
  loadGenerator: number
}

/** User + system CPU time of a process so far, in ms; undefined where /proc cannot tell. */
function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks
  } catch {
    return undefined
  }
}

/** User + system CPU time of the Redis server so far, in ms. */
async function redisCpuMs(redis: Redis): Promise<number> {
  const info = await redis.info('cpu')
  const seconds = (name: string) => Number(new RegExp(`^${name}:([0-9.]+)`, 'm').exec(info)?.[1] ?? 0)
  return (seconds('used_cpu_sys') + seconds('used_cpu_user')) * 1000
}

/**
 * Runs `work` and measures the CPU share of the server process, of Redis and of this process (the
 * load generator) meanwhile.
 */
export async function measureCpu<T>(
  redis: Redis,
  serverPid: number,
  work: () => Promise<T>,
): Promise<{ result: T; cpu: CpuShares }> {
  const startedAt = performance.now()
  const server = processCpuMs(serverPid)
  const redisCpu = await redisCpuMs(redis)
  const own = process.cpuUsage()
  const result = await work()
  const elapsed = performance.now() - startedAt
  const ownUsed = process.cpuUsage(own)
  const serverAfter = processCpuMs(serverPid)
  const share = (ms: number) => Math.round((ms / elapsed) * 100)
  const cpu: CpuShares = {
    redis: share((await redisCpuMs(redis)) - redisCpu),
    loadGenerator: share((ownUsed.user + ownUsed.system) / 1000),
  }
  if (server !== undefined && serverAfter !== undefined) cpu.server = share(serverAfter - server)
  return { result, cpu }
}
