import { createRedisClient, isCluster, quitRedis } from '@bookstore/service-kit'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { type ChannelSubscriptions, createChannelSubscriptions } from '../domain/channel-subscriptions'

declare module 'fastify' {
  interface FastifyInstance {
    cartSubscriber: CartSubscriber
  }
}

export interface CartSubscriber {
  subscriptions: ChannelSubscriptions
  /** Called for every message on a subscribed channel. */
  onMessage(listener: (channel: string, message: string) => void): void
  /** Called when the connection is back after a loss, once the channels are subscribed again. */
  onResubscribed(listener: () => void): void
}

/**
 * The instance's ONE subscriber connection (SPEC RT2): sharded Pub/Sub (SSUBSCRIBE), because cart
 * events are SPUBLISHed on the user's hash-tagged channel; on Redis Cluster a sharded message stays
 * on the shard that owns the slot instead of being broadcast to every node. Commands fail fast while
 * Redis is away (a socket opening then is told to retry), and the connection reconnects on its own.
 * On Redis Cluster it is an ioredis Cluster with sharded subscribers (one subscriber connection
 * per master, each SSUBSCRIBEd to the channels of its slots): the client moves the subscriptions
 * itself when a slot moves or a replica takes over, then says so (`subscribersReady`).
 */
export const cartSubscriberPlugin = fp(
  async (app: FastifyInstance, options: { url: string }) => {
    const redis = createRedisClient(options.url, {
      connectionName: 'realtime-gateway-subscriber',
      patient: false,
      lazyConnect: true,
      shardedSubscribers: true,
    })
    redis.on('error', (error) => app.log.warn({ err: error }, 'redis subscriber connection error'))
    const subscriptions = createChannelSubscriptions({
      subscribe: (channel) => redis.ssubscribe(channel),
      unsubscribe: (channel) => redis.sunsubscribe(channel),
    })
    const resubscribedListeners: Array<() => void> = []
    const announceResubscribed = () => {
      for (const listener of resubscribedListeners) listener()
    }
    let connectedBefore = false
    if (isCluster(redis)) {
      // The Cluster resubscribes on its own after every change of the slot map; messages sent
      // meanwhile may be lost, so the listeners hear of it (the first one is the start).
      redis.on('subscribersReady', () => {
        if (!connectedBefore) {
          connectedBefore = true
          return
        }
        app.log.info({ channels: subscriptions.size }, 'redis cluster subscribers moved: resubscribed')
        announceResubscribed()
      })
    } else
      redis.on('ready', () => {
        if (!connectedBefore) {
          connectedBefore = true
          return
        }
        app.log.info({ channels: subscriptions.size }, 'redis subscriber reconnected: resubscribing')
        subscriptions
          .resubscribeAll()
          .then(announceResubscribed, (error: unknown) =>
            app.log.error({ err: error }, 'could not resubscribe after reconnecting'),
          )
      })
    await redis.connect()

    app.decorate('cartSubscriber', {
      subscriptions,
      onMessage: (listener) => redis.on('smessage', listener),
      onResubscribed: (listener) => resubscribedListeners.push(listener),
    } satisfies CartSubscriber)
    app.addReadinessCheck('redis-subscriber', async () => {
      if (redis.status !== 'ready') throw new Error(`subscriber connection ${redis.status}`)
    })
    app.addHook('onClose', () => quitRedis(redis))
  },
  { name: 'cart-subscriber', dependencies: ['health'] },
)
