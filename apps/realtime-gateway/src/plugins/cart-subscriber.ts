import { quitRedis } from '@bookstore/service-kit'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Redis } from 'ioredis'
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
 */
export const cartSubscriberPlugin = fp(
  async (app: FastifyInstance, options: { url: string }) => {
    const redis = new Redis(options.url, {
      connectionName: 'realtime-gateway-subscriber',
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
    })
    redis.on('error', (error) => app.log.warn({ err: error }, 'redis subscriber connection error'))
    const subscriptions = createChannelSubscriptions({
      subscribe: (channel) => redis.ssubscribe(channel),
      unsubscribe: (channel) => redis.sunsubscribe(channel),
    })
    const resubscribedListeners: Array<() => void> = []
    let connectedBefore = false
    redis.on('ready', () => {
      if (!connectedBefore) {
        connectedBefore = true
        return
      }
      app.log.info({ channels: subscriptions.size }, 'redis subscriber reconnected: resubscribing')
      subscriptions.resubscribeAll().then(
        () => {
          for (const listener of resubscribedListeners) listener()
        },
        (error: unknown) => app.log.error({ err: error }, 'could not resubscribe after reconnecting'),
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
