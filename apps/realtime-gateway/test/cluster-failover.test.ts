import { cartKeys } from '@bookstore/events'
import {
  killClusterNode,
  masterOfSlot,
  onRedisCluster,
  rejoinAsReplica,
  waitForReplicasInSync,
} from '@bookstore/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newUser, startSystem, type TestSystem, waitFor } from './harness'

/**
 * Issue 17: the live cart through a Redis Cluster failover, on the cluster suite's cluster. The
 * user's channel is sharded (SSUBSCRIBE on the master of its slot): when that master dies, the
 * gateway's subscription must follow the slot to the promoted replica, or every socket of the
 * user stays open and silent while the cart changes.
 */
describe.runIf(onRedisCluster())('the live cart through a failover', () => {
  let system: TestSystem
  beforeAll(async () => {
    system = await startSystem({ gateways: 1, cartApis: 1 })
  }, 60_000)
  afterAll(() => system?.close(), 60_000)

  /** An add through cart-api, tried again while the cluster elects a new master (503s then). */
  async function addThroughFailover(token: string, bookId: string): Promise<number> {
    const deadline = Date.now() + 30_000
    for (;;) {
      try {
        return (await system.addItem(0, token, bookId)).version
      } catch (error) {
        if (Date.now() > deadline) throw error
        await new Promise((resolve) => setTimeout(resolve, 200))
      }
    }
  }

  it('a socket keeps receiving every change of its cart after the master of its channel was SIGKILLed', {
    timeout: 120_000,
  }, async () => {
    const user = newUser()
    const slot = Number(await system.redis.call('CLUSTER', 'KEYSLOT', cartKeys(user).events))
    const victim = await masterOfSlot(slot)
    const token = await system.token(user)
    const book = await system.seedBook()
    const { client, events } = system.client(0, token)
    await client.ready()
    const before = await system.addItem(0, token, book.bookId)
    await waitFor(() => client.version === before.version, 'the change before the kill')
    // What was written before the kill is on the replica that will be promoted: the failover under
    // test is the subscription's, not Redis's asynchronous replication.
    await waitForReplicasInSync(victim)

    killClusterNode(victim.port)
    let promoted: string | undefined
    try {
      await waitFor(
        async () => {
          const owner = await masterOfSlot(slot).catch(() => undefined)
          promoted = owner && owner.id !== victim.id ? owner.id : undefined
          return promoted !== undefined
        },
        'a replica promoted for the channel slot',
        30_000,
      )
      // Changes after the failover: each must reach the socket that was open all along.
      let last = 0
      for (let change = 0; change < 3; change++) last = await addThroughFailover(token, book.bookId)
      await waitFor(
        () => client.version === last,
        'the socket to hear the changes after the failover',
        30_000,
      )
      // The last change came to the open socket as an event: the subscription followed its slot.
      // Around the failover the resubscribe's snapshot (docs/realtime-protocol.md) can bring a
      // version first, or an event can come twice: the client ignores what is not newer, so what
      // it applied is each version once, in order.
      const seen = JSON.stringify(events())
      expect(
        events().some((event) => event.version === last),
        seen,
      ).toBe(true)
      const applied = events()
        .filter((event) => event.outcome === 'applied')
        .map((event) => event.version)
      expect(
        applied.every((version, index) => index === 0 || version > (applied[index - 1] ?? 0)),
        seen,
      ).toBe(true)
    } finally {
      // The old master comes back as a replica, for whatever runs next on this cluster.
      const newMaster = promoted ?? (await masterOfSlot(slot)).id
      await rejoinAsReplica(victim.port, newMaster, 3)
    }
  })
})
