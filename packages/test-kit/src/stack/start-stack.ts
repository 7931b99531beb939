import type { BookReadModel } from '@bookstore/events'
import { Queue, type QueueOptions } from 'bullmq'
import type { FastifyInstance } from 'fastify'
import type { Cluster, Redis } from 'ioredis'
import { seedBook } from '../books'
import { uniqueId } from '../ids'
import { openTestDatabase, type TestDatabase } from '../migrated-database'
import { type PrivateRedis, startPrivateRedis } from '../private-redis'
import { redisUrl, testRedisClient } from '../redis-url'
import { generateTestKeys, signTestToken, type TestKeys, type TokenOptions } from '../tokens'
import { type Env, type LogLine, loadAppEntry } from './app-entry'
import { type AppProcess, spawnApp } from './app-process'
import { type AppName, appInfo } from './app-registry'
import { deleteKeys } from './delete-keys'
import { gatewayUpstreamsEnv } from './gateway-upstreams'

/** An app of the stack built in this process, as its main.ts builds it, listening on a free port. */
export interface InProcessApp {
  kind: 'in-process'
  name: AppName
  url: string
  /** The settings it was built from; `config` is what its loader made of them. */
  env: Env
  config: Readonly<Record<string, unknown>>
  app: FastifyInstance
  close: () => Promise<void>
}

export type StackMember = InProcessApp | AppProcess

export interface StartOptions {
  /** Settings of this instance, over the stack's. */
  env?: Env
  /** Receives the app's JSON log lines instead of stdout (LOG_LEVEL decides which: silent by default). */
  logs?: LogLine[]
}

export interface AppSpec extends StartOptions {
  name: AppName
  /** Run it as a child process (`stack.spawn`) instead of in this process. */
  process?: boolean
}

export interface StackOptions {
  /** Started at once, in this order; more with `start`/`spawn` later. */
  apps?: readonly (AppName | AppSpec)[]
  /**
   * 'shared' (default): the test run's Redis, keys kept apart by unique ids and the queue prefix;
   * 'private': a redis-server of the stack's own (for FLUSHALL, SCAN over every cart, killed
   * connections), stopped on close; or the URL of one the test runs itself.
   */
  redis?: 'shared' | 'private' | { url: string }
  /** true: a fresh migrated database, dropped on close; or one the test file shares between stacks. */
  database?: boolean | TestDatabase
  /** Settings every app of the stack gets. */
  env?: Env
  /** Settings of every instance of one app. */
  appEnv?: Partial<Record<AppName, Env>>
  /** Default: a new key pair, so tokens of other stacks are refused. */
  keys?: TestKeys
  /** Default: a unique prefix, so queues of other stacks are never seen. */
  queuePrefix?: string
}

export interface TestStack {
  redisUrl: string
  /** A client of the stack's Redis (a Cluster on a `redis-cluster://` URL), for arranging and checking state. */
  redis: Redis | Cluster
  redisServer: PrivateRedis | undefined
  database: TestDatabase | undefined
  /** One key pair for the whole stack: auth-api signs with it, every app verifies with it. */
  keys: TestKeys
  queuePrefix: string
  /** The settings an instance of `name` is given. */
  envOf: (name: AppName, env?: Env) => Env
  start: (name: AppName, options?: StartOptions) => Promise<InProcessApp>
  spawn: (name: AppName, options?: StartOptions) => Promise<AppProcess>
  /** The newest running in-process instance of `name`. */
  instance: (name: AppName) => InProcessApp
  /** Running instances of `name` (every app when omitted), oldest first. */
  running: (name?: AppName) => StackMember[]
  /** The gateway's upstream settings (CART_API_URLS, ...) naming every app of the stack running now. */
  gatewayUpstreams: () => Env
  /** A producer/inspector of one of the stack's queues; closed with the stack. */
  queue: <DataType = unknown>(
    name: string,
    options?: Omit<QueueOptions, 'connection' | 'prefix'>,
  ) => Queue<DataType>
  token: (userId: string, options?: TokenOptions) => Promise<string>
  bearer: (userId: string, options?: TokenOptions) => Promise<{ authorization: string }>
  /** A new user id and the headers of its token. */
  shopper: (
    options?: TokenOptions & { userId?: string },
  ) => Promise<{ userId: string; auth: { authorization: string } }>
  adminAuth: () => Promise<{ authorization: string }>
  /** Writes a book into the read model, as book-api does. */
  seedBook: (overrides?: Partial<BookReadModel>) => Promise<BookReadModel>
  /** Runs on close, newest first, after the apps and before the queues and stores go. */
  onClose: (cleanup: () => unknown) => void
  /** Stops every app, deletes the stack's queues, stops what the stack started; once. */
  close: () => Promise<void>
}

function portOf(app: FastifyInstance): number {
  const address = app.server.address()
  if (typeof address !== 'object' || address === null) throw new Error('the app does not listen on TCP')
  return address.port
}

export function startStack(
  options: StackOptions & { database: true | TestDatabase },
): Promise<TestStack & { database: TestDatabase }>
export function startStack(options?: StackOptions): Promise<TestStack>

/**
 * Any set of the platform's apps on one Redis, one queue prefix, one signing key and (optionally)
 * one database, as the local stack wires them, each built in this process as its main.ts builds it
 * (or run as a process), with `close()` undoing all of it.
 */
export async function startStack(options: StackOptions = {}): Promise<TestStack> {
  const redisServer = options.redis === 'private' ? await startPrivateRedis() : undefined
  const url = redisServer?.url ?? (typeof options.redis === 'object' ? options.redis.url : redisUrl())
  const database =
    options.database === true
      ? await openTestDatabase().catch(async (error: unknown) => {
          await redisServer?.stop()
          throw error
        })
      : options.database || undefined
  const keys = options.keys ?? generateTestKeys()
  const queuePrefix = options.queuePrefix ?? uniqueId('test-bull')
  const redis = testRedisClient(url)
  const members: StackMember[] = []
  const queues: Queue[] = []
  const cleanups: Array<() => unknown> = []
  const forget = (member: StackMember) => {
    const index = members.indexOf(member)
    if (index >= 0) members.splice(index, 1)
  }

  const envOf = (name: AppName, env: Env = {}): Env => ({
    REDIS_URL: url,
    QUEUE_PREFIX: queuePrefix,
    LOG_LEVEL: 'silent',
    JWT_PUBLIC_KEY: keys.publicKeyPem,
    ...(appInfo(name).signsTokens && { JWT_PRIVATE_KEY: keys.privateKeyPem }),
    ...(database && { DATABASE_URL: database.url }),
    ...options.env,
    ...options.appEnv?.[name],
    ...env,
  })

  async function start(name: AppName, startOptions: StartOptions = {}): Promise<InProcessApp> {
    const { logs } = startOptions
    const entry = await loadAppEntry(name)
    const env = envOf(name, startOptions.env)
    const config = entry.loadConfig(env)
    const app = await entry.build(config, {
      ...(logs && { logStream: { write: (line: string) => logs.push(JSON.parse(line) as LogLine) } }),
    })
    try {
      await app.listen({ host: '127.0.0.1', port: 0 })
    } catch (error) {
      await app.close()
      throw error
    }
    const member: InProcessApp = {
      kind: 'in-process',
      name,
      url: `http://127.0.0.1:${portOf(app)}`,
      env,
      config,
      app,
      async close() {
        forget(member)
        await app.close()
      },
    }
    members.push(member)
    return member
  }

  async function spawn(name: AppName, startOptions: StartOptions = {}): Promise<AppProcess> {
    const child = await spawnApp(name, envOf(name, startOptions.env), startOptions)
    const member: AppProcess = {
      ...child,
      async kill(signal) {
        forget(member)
        await child.kill(signal)
      },
      async close() {
        forget(member)
        await child.close()
      },
    }
    members.push(member)
    return member
  }

  const running = (name?: AppName) => members.filter((member) => name === undefined || member.name === name)
  const token = (userId: string, tokenOptions?: TokenOptions) =>
    signTestToken(keys.privateKey, userId, tokenOptions)
  const bearer = async (userId: string, tokenOptions?: TokenOptions) => ({
    authorization: `Bearer ${await token(userId, tokenOptions)}`,
  })

  let closed: Promise<void> | undefined
  const close = () => {
    closed ??= closeAll()
    return closed
  }
  async function closeAll() {
    const failures: unknown[] = []
    const attempt = async (step: () => unknown) => {
      try {
        await step()
      } catch (error) {
        failures.push(error)
      }
    }
    for (const member of [...members].reverse()) await attempt(() => member.close())
    for (const cleanup of cleanups.reverse()) await attempt(cleanup)
    for (const queue of queues) await attempt(() => queue.close())
    // Every queue of the stack, whatever its name, lives under the prefix: obliterated at once.
    if (!redisServer) await attempt(() => deleteKeys(redis, `${queuePrefix}:*`))
    redis.disconnect()
    if (options.database === true) await attempt(() => database?.drop())
    await attempt(() => redisServer?.stop())
    if (failures.length) throw failures[0]
  }

  const stack: TestStack = {
    redisUrl: url,
    redis,
    redisServer,
    database,
    keys,
    queuePrefix,
    envOf,
    start,
    spawn,
    instance(name) {
      const member = running(name).findLast((candidate) => candidate.kind === 'in-process')
      if (member?.kind !== 'in-process') throw new Error(`no ${name} runs in this process`)
      return member
    },
    running,
    gatewayUpstreams: () => gatewayUpstreamsEnv(running()),
    queue<DataType = unknown>(name: string, queueOptions: Omit<QueueOptions, 'connection' | 'prefix'> = {}) {
      const queue = new Queue<DataType>(name, { ...queueOptions, connection: redis, prefix: queuePrefix })
      queues.push(queue)
      return queue
    },
    token,
    bearer,
    async shopper(shopperOptions = {}) {
      const { userId = uniqueId('user'), ...tokenOptions } = shopperOptions
      return { userId, auth: await bearer(userId, tokenOptions) }
    },
    adminAuth: () => bearer(uniqueId('admin'), { role: 'admin' }),
    seedBook: (overrides) => seedBook(redis, overrides),
    onClose(cleanup) {
      cleanups.push(cleanup)
    },
    close,
  }
  try {
    for (const spec of options.apps ?? []) {
      const { name, process: asProcess, ...startOptions } = typeof spec === 'string' ? { name: spec } : spec
      await (asProcess ? spawn(name, startOptions) : start(name, startOptions))
    }
  } catch (error) {
    await close().catch(() => {})
    throw error
  }
  return stack
}
