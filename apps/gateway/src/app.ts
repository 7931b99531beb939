import {
  authPlugin,
  redisPlugin,
  servicePlugin,
  tokenVerifierFromConfig,
  trustedProxies,
} from '@bookstore/service-kit'
import type { FastifyInstance } from 'fastify'
import { corsOrigins, type GatewayConfig, upstreamUrls } from './config'
import { routeTable, websocketRoute } from './domain/route-table'
import { gatewayErrorStatuses } from './error-statuses'
import { adminSessionPlugin } from './plugins/admin-session'
import { edgePlugin } from './plugins/edge'
import { rateLimitsPlugin } from './plugins/rate-limits'
import { upstreamsPlugin } from './plugins/upstreams'
import { adminSessionRoutes } from './routes/admin-session-routes'
import { apiDocsRoutes } from './routes/api-docs'
import { apiProxyRoutes } from './routes/api-proxy'
import { queueBoardRoutes } from './routes/queue-board'
import { webShopRoutes } from './routes/web-shop'
import { websocketTunnel } from './routes/websocket-tunnel'

/** The gateway as a plugin: tests register it exactly as main.ts does. */
export async function gateway(app: FastifyInstance, options: { config: GatewayConfig }) {
  const { config } = options
  const verify = tokenVerifierFromConfig(config)
  const trustsProxies = trustedProxies(config.TRUST_PROXY) !== undefined
  // Tier 1: the service kit and external clients.
  await app.register(servicePlugin, {
    serviceName: 'gateway',
    description: 'The public entry: the API under /api, the live cart at /ws, the web shop, the admin tools.',
    errorStatuses: gatewayErrorStatuses,
  })
  // The rate limits' calls to Redis: concurrent requests' calls share a write.
  await app.register(redisPlugin, { url: config.REDIS_URL, connectionName: 'gateway', autoPipeline: true })
  await app.register(authPlugin, { verify })
  await app.register(upstreamsPlugin, {
    urls: upstreamUrls(config),
    connections: config.UPSTREAM_CONNECTIONS,
    connectTimeoutMs: config.UPSTREAM_CONNECT_TIMEOUT_MS,
    probeIntervalMs: config.UPSTREAM_PROBE_INTERVAL_MS,
  })
  // Tier 2: what every request meets at the edge.
  await app.register(edgePlugin, { corsOrigins: corsOrigins(config) })
  await app.register(rateLimitsPlugin, {
    verify,
    windowMs: config.RATE_LIMIT_WINDOW_MS,
    perIp: config.RATE_LIMIT_PER_IP,
    perUser: config.RATE_LIMIT_PER_USER,
    localShare: config.RATE_LIMIT_LOCAL_SHARE,
    flushIntervalMs: config.RATE_LIMIT_FLUSH_MS,
  })
  await app.register(adminSessionPlugin, { verify, loginPath: config.LOGIN_PATH })
  // Tier 3: routes.
  await app.register(apiProxyRoutes, {
    table: routeTable,
    timeoutMs: config.UPSTREAM_TIMEOUT_MS,
    bodyLimit: config.BODY_LIMIT_BYTES,
    trustsProxies,
    onRequest: app.limitRequest,
  })
  await app.register(websocketTunnel, {
    route: websocketRoute,
    trustsProxies,
    connectTimeoutMs: config.UPSTREAM_CONNECT_TIMEOUT_MS,
  })
  await app.register(adminSessionRoutes, {
    ttlSeconds: config.ADMIN_SESSION_TTL_SECONDS,
    cookieSecure: config.ADMIN_COOKIE_SECURE,
  })
  await app.register(apiDocsRoutes, {
    cacheMs: config.OPENAPI_CACHE_MS,
    timeoutMs: config.UPSTREAM_TIMEOUT_MS,
  })
  await app.register(queueBoardRoutes, { redisUrl: config.REDIS_URL, queuePrefix: config.QUEUE_PREFIX })
  if (config.WEB_ROOT) await app.register(webShopRoutes, { root: config.WEB_ROOT })
}
