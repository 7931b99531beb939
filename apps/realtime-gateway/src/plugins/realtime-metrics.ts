import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
import type { HubMetrics } from '../domain/realtime-hub'

/** The gateway's Prometheus metrics (SPEC E2): sockets, messages out, drops, delivery latency. */
export function createRealtimeMetrics(registry: Registry): HubMetrics & {
  rejected(reason: string): void
} {
  const registers = [registry]
  const sockets = new Gauge({ name: 'realtime_sockets', help: 'Open WebSocket connections', registers })
  const channels = new Gauge({
    name: 'realtime_subscribed_channels',
    help: 'Cart channels this instance is subscribed to (users with a socket here)',
    registers,
  })
  const messages = new Counter({
    name: 'realtime_messages_sent_total',
    help: 'Messages handed to sockets, by kind',
    labelNames: ['kind'],
    registers,
  })
  const slowConsumers = new Counter({
    name: 'realtime_slow_consumers_dropped_total',
    help: 'Sockets closed with 4008 because their unsent bytes reached MAX_BUFFERED_BYTES',
    registers,
  })
  const deadSockets = new Counter({
    name: 'realtime_dead_sockets_dropped_total',
    help: 'Sockets cut because they did not answer a heartbeat ping',
    registers,
  })
  const invalidEvents = new Counter({
    name: 'realtime_invalid_events_total',
    help: 'Messages on a cart channel that were not a cart event of that user (dropped)',
    registers,
  })
  const ignoredHellos = new Counter({
    name: 'realtime_hellos_ignored_total',
    help: 'Hellos beyond MAX_HELLOS_PER_MINUTE on one socket (not answered)',
    registers,
  })
  const rejected = new Counter({
    name: 'realtime_upgrades_rejected_total',
    help: 'Upgrade requests refused before the socket opened, by error code',
    labelNames: ['code'],
    registers,
  })
  const latency = new Histogram({
    name: 'realtime_delivery_latency_seconds',
    help: 'From the commit of a cart change (cart.updatedAt) to its hand-over to the sockets',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers,
  })
  return {
    socketsChanged: (count) => sockets.set(count),
    channelsChanged: (count) => channels.set(count),
    messagesSent: (kind, count) => {
      if (count > 0) messages.inc({ kind }, count)
    },
    slowConsumerDropped: () => slowConsumers.inc(),
    deadSocketDropped: () => deadSockets.inc(),
    invalidEvent: () => invalidEvents.inc(),
    helloIgnored: () => ignoredHellos.inc(),
    deliveryLatency: (ms) => latency.observe(Math.max(0, ms) / 1000),
    rejected: (code) => rejected.inc({ code }),
  }
}
