import { cartKeys, RealtimeCloseCode } from '@bookstore/events'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { snapshotFrame } from '../domain/frames'
import { createRealtimeHub, type RealtimeHub } from '../domain/realtime-hub'
import { createRealtimeMetrics } from './realtime-metrics'

declare module 'fastify' {
  interface FastifyInstance {
    realtime: RealtimeHub
    realtimeMetrics: ReturnType<typeof createRealtimeMetrics>
  }
}

export interface RealtimeHubOptions {
  maxSocketsPerUser: number
  maxHellosPerMinute: number
  maxBufferedBytes: number
  heartbeatIntervalMs: number
  shutdownCloseTimeoutMs: number
}

/**
 * The hub of this instance: its sockets, fed by the subscriber connection, snapshots read with the
 * app's (fail-fast) Redis client, a heartbeat timer, and on shutdown every socket closed with 1001.
 */
export const realtimeHubPlugin = fp(
  async (app: FastifyInstance, options: RealtimeHubOptions) => {
    const metrics = createRealtimeMetrics(app.metrics)
    const hub = createRealtimeHub({
      subscriptions: app.cartSubscriber.subscriptions,
      readSnapshot: async (userId) => {
        const keys = cartKeys(userId)
        // Both keys carry the user's hash tag: one slot, so one MGET also on Redis Cluster.
        const [cartJson, version] = await app.redis.mget(keys.cart, keys.version)
        if (cartJson !== null && cartJson !== undefined)
          return snapshotFrame(userId, cartJson, version ?? null)
        // Missing from Redis: restored from PostgreSQL when this instance may read it (SPEC C5).
        const restored = await app.restoreMissingCart(userId)
        return restored
          ? snapshotFrame(userId, restored.cartJson, String(restored.version))
          : snapshotFrame(userId, null, version ?? null)
      },
      maxSocketsPerUser: options.maxSocketsPerUser,
      maxHellosPerMinute: options.maxHellosPerMinute,
      maxBufferedBytes: options.maxBufferedBytes,
      metrics,
      log: app.log,
    })
    app.cartSubscriber.onMessage((channel, message) => hub.publish(channel, message))
    app.cartSubscriber.onResubscribed(() => void hub.resyncAll())

    const heartbeat = setInterval(() => hub.heartbeat(), options.heartbeatIntervalMs)
    heartbeat.unref()

    app.decorate('realtime', hub)
    app.decorate('realtimeMetrics', metrics)
    app.addReadinessCheck('redis', () => app.redis.ping())
    // preClose: before the server stops, so clients hear "going away" (1001) and reconnect elsewhere.
    app.addHook('preClose', async () => {
      clearInterval(heartbeat)
      await hub.closeAll(RealtimeCloseCode.goingAway, 'server shutting down', options.shutdownCloseTimeoutMs)
    })
  },
  { name: 'realtime-hub', dependencies: ['redis', 'cart-subscriber', 'cart-restore', 'metrics', 'health'] },
)
