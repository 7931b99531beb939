import { mkdirSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { hasRedisServer, redisAnswers } from '@bookstore/test-kit'
import { type ServiceProcess, startServiceProcess } from './service-process'
import { StackError } from './stack-error'

export interface LocalRedis {
  url: string
  service: ServiceProcess
}

/**
 * A redis-server from PATH for the local stack. Unlike the throwaway test Redis it keeps an
 * append-only file (fsync every second) so carts survive a restart of the stack.
 */
export async function startLocalRedis(options: {
  port: number
  dir: string
  /** redis-server's maxmemory (e.g. `512mb`); full, it refuses writes (noeviction) instead of dropping carts. */
  maxMemory: string
}): Promise<LocalRedis> {
  if (!hasRedisServer()) {
    throw new StackError(
      'redis-server is not on PATH: install it (apt-get install redis-server) or set REDIS_URL',
    )
  }
  const url = `redis://127.0.0.1:${options.port}`
  // Checked first: otherwise the probe below would take the other Redis for ours.
  if (await redisAnswers(url)) {
    throw new StackError(
      `a Redis already answers on ${url} (another local stack?): stop it, or set LOCAL_REDIS_PORT or REDIS_URL`,
    )
  }
  mkdirSync(options.dir, { recursive: true })
  const args = ['--port', String(options.port), '--bind', '127.0.0.1', '--dir', options.dir]
  args.push('--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--loglevel', 'warning')
  // A cart store must never evict: a full Redis answers OOM errors (503 STORE_UNAVAILABLE) instead.
  args.push('--maxmemory', options.maxMemory, '--maxmemory-policy', 'noeviction')
  const service = startServiceProcess('redis', 'redis-server', args)
  const deadline = Date.now() + 10_000
  while (!(await redisAnswers(url))) {
    if (service.hasExited())
      throw new StackError(`redis-server did not start on port ${options.port} (see above)`)
    if (Date.now() > deadline) {
      await service.stop()
      throw new StackError(`redis-server did not answer on port ${options.port} within 10 s`)
    }
    await sleep(50)
  }
  return { url, service }
}
