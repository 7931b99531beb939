import type { PersistenceBacklog } from '@bookstore/cart-store'
import type { OpsAlertEmail } from '@bookstore/events'

/** Persistence behind by more than the bound: what the alert says. */
export interface PersistenceLagAlert {
  /** Age of the oldest change not in PostgreSQL yet. */
  oldestAgeMs: number
  oldestAt: number
  boundMs: number
  waiting: number
  active: number
  spooled: number
}

export interface PersistenceLagWatchDeps {
  backlog: () => Promise<PersistenceBacklog>
  /** The episode alerted on, in Redis: the oldest change's time when it was raised (undefined: none). */
  episode: {
    get(): Promise<number | undefined>
    set(oldestAt: number): Promise<void>
    clear(): Promise<void>
  }
  alert: (alert: PersistenceLagAlert) => Promise<void>
  /** The lag is back under the bound after an alert. */
  recovered: (backlog: PersistenceBacklog) => void
  now: () => number
}

/**
 * SPEC P3, E2: raises ONE alert when the oldest change not yet in PostgreSQL is older than the
 * bound (a backlog that persistence does not work off, a database or queue away, a worker gone),
 * not one per run while it lasts, and says so when it is back under the bound, so the next
 * episode alerts again. The episode lives in Redis: any scheduler instance carries on.
 */
export async function watchPersistenceLag(deps: PersistenceLagWatchDeps, settings: { boundMs: number }) {
  const backlog = await deps.backlog()
  const now = deps.now()
  const oldestAgeMs = backlog.oldestAt === undefined ? 0 : Math.max(0, now - backlog.oldestAt)
  const figures = { oldestAgeMs, waiting: backlog.waiting, active: backlog.active, spooled: backlog.spooled }
  const episode = await deps.episode.get()
  if (oldestAgeMs > settings.boundMs && backlog.oldestAt !== undefined) {
    if (episode !== undefined) return { ...figures, alerted: false, recovered: false }
    await deps.alert({ ...figures, oldestAt: backlog.oldestAt, boundMs: settings.boundMs })
    await deps.episode.set(backlog.oldestAt)
    return { ...figures, alerted: true, recovered: false }
  }
  if (episode === undefined) return { ...figures, alerted: false, recovered: false }
  await deps.episode.clear()
  deps.recovered(backlog)
  return { ...figures, alerted: false, recovered: true }
}

/** The e-mail to the operators for one lag alert, and its job id (the same episode is e-mailed once). */
export function persistenceLagEmailOf(alert: PersistenceLagAlert, to: string, now: number) {
  const seconds = Math.round(alert.oldestAgeMs / 1000)
  const email: OpsAlertEmail = {
    kind: 'ops-alert',
    to,
    alert: 'persistence-lag',
    subject: `[bookstore] cart persistence is ${seconds} s behind`,
    lines: [
      `The oldest cart change not yet in PostgreSQL was committed ${seconds} s ago, at ${new Date(alert.oldestAt).toISOString()} (alert bound: ${Math.round(alert.boundMs / 1000)} s).`,
      `Persistence queue: ${alert.waiting} jobs waiting or delayed, ${alert.active} being written; ${alert.spooled} carts in cart-api's durable spool.`,
      'Look at persistence-worker (is it running, is PostgreSQL reachable: GET /health/ready, cart_persistence_* metrics) and at cart-api (cart_persistence_spool_*).',
    ],
    raisedAt: now,
  }
  return { email, jobId: `ops-alert-persistence-lag-${alert.oldestAt}` }
}
