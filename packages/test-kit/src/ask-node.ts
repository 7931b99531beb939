import { Redis } from 'ioredis'

/**
 * One command on one Redis node, over a connection of its own that tries once: the answer as text,
 * or undefined when the node does not answer (a node being killed, started or not up yet).
 */
export async function askNode(
  node: { host: string; port: number },
  command: string,
  ...args: string[]
): Promise<string | undefined> {
  const redis = new Redis({
    host: node.host,
    port: node.port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  })
  redis.on('error', () => {})
  try {
    await redis.connect()
    return String(await redis.call(command, ...args))
  } catch {
    return undefined
  } finally {
    redis.disconnect()
  }
}
