import { REALTIME_PROTOCOL } from '@bookstore/events'
import { authPlugin, redisPlugin, servicePlugin, tokenVerifierFromConfig } from '@bookstore/service-kit'
import websocket from '@fastify/websocket'
import type { FastifyInstance } from 'fastify'
import { allowedOrigins, type RealtimeGatewayConfig } from './config'
import { handshakeErrorStatuses } from './error-statuses'
import { cartRestorePlugin } from './plugins/cart-restore'
import { cartSubscriberPlugin } from './plugins/cart-subscriber'
import { realtimeHubPlugin } from './plugins/realtime-hub'
import { socketRoute } from './routes/socket-route'

/** Client messages are a few dozen bytes: anything large is refused by ws itself (1009). */
const MAX_CLIENT_MESSAGE_BYTES = 4096

/** realtime-gateway as a plugin: tests register it exactly as main.ts does. */
export async function realtimeGateway(app: FastifyInstance, options: { config: RealtimeGatewayConfig }) {
  const { config } = options
  const verify = tokenVerifierFromConfig(config)
  // Tier 1: the service kit and external clients.
  await app.register(servicePlugin, {
    serviceName: 'realtime-gateway',
    description: 'Pushes every change of the shopper cart to each of their sockets (WebSocket at /ws).',
    errorStatuses: handshakeErrorStatuses,
  })
  await app.register(redisPlugin, { url: config.REDIS_URL, connectionName: 'realtime-gateway' })
  await app.register(authPlugin, { verify })
  await app.register(cartSubscriberPlugin, { url: config.REDIS_URL })
  await app.register(websocket, {
    options: {
      // Echo only the protocol version, never the `bearer.<jwt>` entry.
      handleProtocols: (protocols: Set<string>) =>
        protocols.has(REALTIME_PROTOCOL) ? REALTIME_PROTOCOL : false,
      maxPayload: MAX_CLIENT_MESSAGE_BYTES,
      perMessageDeflate: false,
    },
    // The hub closes the sockets on shutdown, with 1001 (the plugin's default would send no code).
    preClose: async () => {},
  })
  await app.register(cartRestorePlugin, {
    databaseUrl: config.DATABASE_URL,
    poolSize: config.DATABASE_POOL_SIZE,
    redisUrl: config.REDIS_URL,
    queuePrefix: config.QUEUE_PREFIX,
    cartTtlSeconds: config.CART_TTL_SECONDS,
  })
  // Tier 2: application services.
  await app.register(realtimeHubPlugin, {
    maxSocketsPerUser: config.MAX_SOCKETS_PER_USER,
    maxHellosPerMinute: config.MAX_HELLOS_PER_MINUTE,
    maxBufferedBytes: config.MAX_BUFFERED_BYTES,
    heartbeatIntervalMs: config.HEARTBEAT_INTERVAL_MS,
    shutdownCloseTimeoutMs: config.SHUTDOWN_CLOSE_TIMEOUT_MS,
  })
  // Tier 3: routes.
  await app.register(socketRoute, { verify, allowedOrigins: allowedOrigins(config) })
}
