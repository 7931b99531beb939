import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { createServer } from 'node:net'
import { Redis } from 'ioredis'
import { askNode } from './ask-node'
import { clusterSeeds, onRedisCluster } from './redis-url'

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      )
    })
  })
}

export async function redisAnswers(url: string): Promise<boolean> {
  if (onRedisCluster(url)) return clusterAnswers(url)
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
  redis.on('error', () => {})
  try {
    await redis.connect()
    return (await redis.ping()) === 'PONG'
  } catch {
    return false
  } finally {
    redis.disconnect()
  }
}

/** A Redis Cluster answers when one of its seed nodes says its state is ok. */
async function clusterAnswers(url: string): Promise<boolean> {
  for (const seed of clusterSeeds(url))
    if ((await askNode(seed, 'CLUSTER', 'INFO'))?.includes('cluster_state:ok')) return true
  return false
}

export const hasRedisServer = () => spawnSync('redis-server', ['--version']).status === 0

export interface PrivateRedis {
  url: string
  port: number
  process: ChildProcess
  stop: () => Promise<void>
}

/**
 * Starts a redis-server from PATH on a free port, keeping nothing on disk. Tests use one to stop
 * and restart Redis.
 */
export async function startPrivateRedis(
  options: { port?: number; extraArgs?: string[] } = {},
): Promise<PrivateRedis> {
  if (!hasRedisServer()) {
    throw new Error('redis-server is not on PATH: install it (apt-get install redis-server) or set REDIS_URL')
  }
  const port = options.port ?? (await freePort())
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      ...(options.extraArgs ?? []),
    ],
    { stdio: 'ignore' },
  )
  const url = `redis://127.0.0.1:${port}`
  const deadline = Date.now() + 10_000
  while (!(await redisAnswers(url))) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`redis-server on port ${port} did not start`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  const stop = async () => {
    if (child.exitCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    await exited
  }
  return { url, port, process: child, stop }
}
