/**
 * The live-cart load of bench:realtime, also driven through the gateway by bench:gateway: sockets
 * held in this process (several tabs per user), each measuring every delivery from its commit
 * (cart.updatedAt) and checking version order, and changes sent through cart-api by the driver
 * process (bench/realtime-driver.ts) at a fixed rate, round-robin over the users.
 */
import { spawn } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { BEARER_PROTOCOL_PREFIX, REALTIME_PROTOCOL } from '@bookstore/events'
import { WebSocket } from 'ws'
import { onCleanUp } from './cleanup'
import type { Overload } from './overload'
import { rootDir } from './processes'

/** bench/realtime-driver.ts in its own process, driving changes when asked. */
export async function startDriver(setup: {
  cartApiUrl: string
  tokens: string[]
  bookId: string
  rate: number
}) {
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', 'bench/realtime-driver.ts'],
    {
      cwd: rootDir,
      stdio: ['ignore', 2, 2, 'ipc'],
    },
  )
  onCleanUp('change driver', async () => {
    if (child.connected) child.disconnect()
  })
  const answer = () =>
    new Promise<{ ready?: boolean; seconds?: number; overload?: Overload; error?: string }>(
      (resolve, reject) => {
        child.once('message', resolve)
        child.once('exit', (code) => reject(new Error(`the change driver exited (${code})`)))
      },
    )
  const ready = answer()
  child.send({ setup })
  await ready
  return {
    async drive(count: number, firstUser: number): Promise<{ seconds: number; overload?: Overload }> {
      const done = answer()
      child.send({ drive: { count, firstUser } })
      const result = await done
      if (result.error !== undefined) throw new Error(result.error)
      return { seconds: result.seconds ?? 0, overload: result.overload }
    },
  }
}

export interface Tab {
  user: number
  ws: WebSocket
  lastVersion: number
}

/** Sockets of `tokens`' users on `wsUrl`, and what they received. */
export function socketHolder(wsUrl: string, tokens: readonly string[]) {
  const latencies: number[] = []
  const tabs: Tab[] = []
  let outOfOrder = 0
  /** One socket of `user`, resolved once its snapshot has arrived. */
  const open = (user: number) =>
    new Promise<Tab>((resolve, reject) => {
      const ws = new WebSocket(wsUrl, [REALTIME_PROTOCOL, `${BEARER_PROTOCOL_PREFIX}${tokens[user]}`])
      const tab: Tab = { user, ws, lastVersion: -1 }
      ws.once('error', reject)
      ws.once('open', () => ws.send(JSON.stringify({ type: 'hello', lastVersion: null })))
      ws.on('message', (data: Buffer) => {
        const receivedAt = performance.timeOrigin + performance.now()
        const message = JSON.parse(data.toString()) as {
          type: string
          version?: number
          cart?: { updatedAt: number }
        }
        // Order events carry no cart version: they neither count as a gap nor move the version.
        if (typeof message.version !== 'number') return
        if (message.type === 'cart.changed') {
          if (message.version !== tab.lastVersion + 1) outOfOrder++
          if (message.cart) latencies.push(receivedAt - message.cart.updatedAt)
        } else if (tab.lastVersion === -1) resolve(tab)
        tab.lastVersion = Math.max(tab.lastVersion, message.version)
      })
    })
  return {
    latencies,
    tabs,
    outOfOrder: () => outOfOrder,
    open,
    /** `count` sockets over the users round-robin, 250 at a time; kept (and closed at clean-up). */
    async openMany(count: number, users: number) {
      for (let first = 0; first < count; first += 250) {
        const batch = Array.from({ length: Math.min(250, count - first) }, (_, i) =>
          open((first + i) % users),
        )
        tabs.push(...(await Promise.all(batch)))
      }
      onCleanUp('sockets', async () => {
        for (const tab of tabs) tab.ws.terminate()
      })
    },
  }
}
export type SocketHolder = ReturnType<typeof socketHolder>

/**
 * Changes at the driver's rate over the users, each owing one delivery per socket of its user:
 * `drive` returns how many deliveries a batch owes, `arrived` waits (10 s at most) for them.
 */
export function changeRounds(
  holder: SocketHolder,
  driver: Awaited<ReturnType<typeof startDriver>>,
  users: number,
) {
  const tabsPerUser = new Map<number, number>()
  for (const tab of holder.tabs) tabsPerUser.set(tab.user, (tabsPerUser.get(tab.user) ?? 0) + 1)
  let nextUser = 0
  return {
    async drive(count: number) {
      const firstUser = nextUser
      nextUser += count
      let owed = 0
      for (let index = 0; index < count; index++) owed += tabsPerUser.get((firstUser + index) % users) ?? 0
      return { owed, ...(await driver.drive(count, firstUser % users)) }
    },
    async arrived(count: number) {
      const deadline = Date.now() + 10_000
      while (holder.latencies.length < count && Date.now() < deadline) await sleep(20)
    },
  }
}
