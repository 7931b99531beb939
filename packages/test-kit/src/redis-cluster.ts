import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { askNode } from './ask-node'
import { clusterSeeds, onRedisCluster, redisUrl } from './redis-url'

/**
 * The local Redis Cluster of the cluster suite (infra/redis-cluster/redis-cluster): its nodes'
 * files are in REDIS_CLUSTER_DIR, one directory per port with the node's config and pid file.
 * Fault tests use this to SIGKILL a master, start it again and move slots.
 */
export interface ClusterNodeInfo {
  id: string
  host: string
  port: number
  role: 'master' | 'replica'
  /** Slot ranges a master owns, [first, last]. */
  slots: [number, number][]
  masterId: string | undefined
  failed: boolean
}

export function clusterDir(): string {
  const dir = process.env.REDIS_CLUSTER_DIR
  if (!dir)
    throw new Error('REDIS_CLUSTER_DIR is not set: run the cluster suite (infra/redis-cluster/run-suite)')
  return dir
}

/** The cluster's view of its nodes (CLUSTER NODES of the first seed that answers). */
export async function clusterNodes(url = redisUrl()): Promise<ClusterNodeInfo[]> {
  for (const seed of clusterSeeds(url)) {
    const text = await askNode(seed, 'CLUSTER', 'NODES')
    if (text === undefined) continue
    return text
      .trim()
      .split('\n')
      .map((line) => {
        const [id = '', address = '', flags = '', master = '-', , , , , ...slots] = line.split(' ')
        const hostPort = address.split('@')[0] ?? ''
        const at = hostPort.lastIndexOf(':')
        return {
          id,
          host: hostPort.slice(0, at),
          port: Number(hostPort.slice(at + 1)),
          role: flags.includes('master') ? 'master' : 'replica',
          masterId: master === '-' ? undefined : master,
          failed: flags.includes('fail'),
          slots: slots
            .filter((range) => !range.startsWith('['))
            .map((range) => {
              const [first, last = first] = range.split('-')
              return [Number(first), Number(last)] as [number, number]
            }),
        } satisfies ClusterNodeInfo
      })
  }
  throw new Error('no node of the cluster answers')
}

/** The live master owning `slot`. */
export async function masterOfSlot(slot: number, url = redisUrl()): Promise<ClusterNodeInfo> {
  const master = (await clusterNodes(url)).find(
    (node) => node.role === 'master' && !node.failed && node.slots.some(([a, b]) => slot >= a && slot <= b),
  )
  if (!master) throw new Error(`no live master owns slot ${slot}`)
  return master
}

const pidOf = (port: number) => Number(readFileSync(join(clusterDir(), String(port), 'redis.pid'), 'utf8'))

/** SIGKILLs the node on `port` (by its pid file), as a crash would. */
export function killClusterNode(port: number): void {
  process.kill(pidOf(port), 'SIGKILL')
}

/** Starts the node on `port` again from its config file: it rejoins (a dead master as a replica). */
export function restartClusterNode(port: number): void {
  const result = spawnSync('redis-server', [join(clusterDir(), String(port), 'redis.conf')])
  if (result.status !== 0) throw new Error(`redis-server on ${port} did not start: ${result.stderr}`)
}

/**
 * Waits until every live node says cluster_state:ok and the cluster knows `replicas` live
 * replicas; the error says what the cluster looked like last.
 */
export async function waitForClusterOk(options: { replicas?: number; timeoutMs?: number } = {}) {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000)
  let seen = 'no node answered'
  for (;;) {
    try {
      const nodes = await clusterNodes()
      const replicas = nodes.filter((node) => node.role === 'replica' && !node.failed).length
      const states = await Promise.all(
        nodes
          .filter((node) => !node.failed)
          .map(
            async (node) => (await askNode(node, 'CLUSTER', 'INFO'))?.includes('cluster_state:ok') ?? false,
          ),
      )
      seen = nodes
        .map((node) => `${node.port} ${node.role}${node.failed ? ' (failed)' : ''}`)
        .concat(`states ok: ${states.filter(Boolean).length} of ${states.length}`)
        .join(', ')
      if (states.every(Boolean) && replicas >= (options.replicas ?? 0)) return
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`the cluster did not become ok: ${seen}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

/**
 * New user ids, `perMaster` of them on each master of the test run's Cluster (by the slot of
 * `keyOf(userId)`, CLUSTER KEYSLOT), or `perMaster * 3` on one Redis: tests that must touch every
 * shard of the cluster.
 */
export async function usersOnEveryMaster(
  perMaster: number,
  keyOf: (userId: string) => string,
  newUserId: () => string,
): Promise<string[]> {
  if (!onRedisCluster()) return Array.from({ length: perMaster * 3 }, newUserId)
  const masters = (await clusterNodes()).filter((node) => node.role === 'master' && !node.failed)
  const [seed] = clusterSeeds(redisUrl())
  const probe = new Redis({ host: seed?.host, port: seed?.port })
  try {
    const picked = new Map(masters.map((master) => [master.id, [] as string[]]))
    while ([...picked.values()].some((users) => users.length < perMaster)) {
      const userId = newUserId()
      const slot = Number(await probe.call('CLUSTER', 'KEYSLOT', keyOf(userId)))
      const owner = masters.find((master) => master.slots.some(([a, b]) => slot >= a && slot <= b))
      const users = owner && picked.get(owner.id)
      if (users && users.length < perMaster) users.push(userId)
    }
    return [...picked.values()].flat()
  } finally {
    probe.disconnect()
  }
}

/**
 * FLUSHALL on every master of the test run's Cluster: only for the cluster suite's own cluster,
 * before test files that SCAN every key and run alone (the scheduler's, `--no-file-parallelism`).
 */
export async function flushCluster(): Promise<void> {
  clusterDir()
  const masters = (await clusterNodes()).filter((node) => node.role === 'master' && !node.failed)
  await Promise.all(
    masters.map(async ({ host, port }) => {
      const node = new Redis({ host, port })
      try {
        await node.flushall()
      } finally {
        node.disconnect()
      }
    }),
  )
}

/**
 * Starts a killed master again and waits until it serves as a replica of `masterId` (the replica
 * that took its slots), its first sync done. It normally learns so by itself from the cluster bus
 * within seconds; if it has not after 10 s it is told (CLUSTER REPLICATE), then the whole cluster
 * must be ok again. The cluster counts it live before it has synced: the next test to kill its
 * master would get it promoted empty (seen in CI), so the sync is waited for too.
 */
export async function rejoinAsReplica(port: number, masterId: string, replicas: number): Promise<void> {
  restartClusterNode(port)
  const synced = async () => {
    const master = (await clusterNodes()).find((node) => node.id === masterId)
    if (!master) throw new Error(`the cluster does not know master ${masterId}`)
    await waitForReplicasInSync(master)
  }
  try {
    await waitForClusterOk({ replicas, timeoutMs: 10_000 })
    await synced()
    return
  } catch {
    // told below
  }
  const node = new Redis({ host: '127.0.0.1', port })
  let refused = ''
  try {
    await node.call('CLUSTER', 'REPLICATE', masterId)
  } catch (error) {
    refused = ` (CLUSTER REPLICATE refused: ${error instanceof Error ? error.message : String(error)})`
  } finally {
    node.disconnect()
  }
  await waitForClusterOk({ replicas, timeoutMs: 30_000 }).catch((error: unknown) => {
    throw new Error(`${error instanceof Error ? error.message : String(error)}${refused}`)
  })
  await synced()
}

/**
 * Waits until `master` has at least one replica and every one is online with all the writes the
 * master had when this was called. Redis replicates asynchronously: a replica still in its first
 * sync (one that rejoined a moment ago counts as live) or behind is promoted without the latest
 * writes, and a failover test then loses data no failover should cost (seen in CI: a book seeded
 * before the kill was gone after it).
 */
export async function waitForReplicasInSync(
  master: { host: string; port: number },
  timeoutMs = 30_000,
): Promise<void> {
  const replication = async () => (await askNode(master, 'INFO', 'replication')) ?? ''
  const target = Number(/master_repl_offset:(\d+)/.exec(await replication())?.[1] ?? Number.NaN)
  if (Number.isNaN(target)) throw new Error(`${master.port} did not say its replication offset`)
  const deadline = Date.now() + timeoutMs
  let seen = ''
  for (;;) {
    seen = await replication()
    const replicas = [...seen.matchAll(/^slave\d+:(.*)$/gm)].map((line) =>
      Object.fromEntries((line[1] ?? '').split(',').map((field) => field.split('='))),
    )
    const inSync = (replica: Record<string, string>) =>
      replica.state === 'online' && Number(replica.offset) >= target
    if (replicas.length > 0 && replicas.every(inSync)) return
    if (Date.now() > deadline)
      throw new Error(`the replicas of ${master.port} did not reach offset ${target}: ${seen.trim()}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
