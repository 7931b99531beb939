/**
 * Reference-counted channel subscriptions on one subscriber connection: a channel is subscribed while
 * at least one holder wants it, and unsubscribed when the last one lets go. So an instance receives
 * only the traffic of the users connected to it, not a firehose of every cart.
 *
 * Subscribing and unsubscribing take a round trip each, and holders come and go meanwhile (a tab
 * reloading is a release followed at once by an acquire). Each channel therefore has ONE loop at a
 * time that moves the real state towards the wanted one (refs > 0) until they agree: a release during
 * a subscribe is followed by an unsubscribe, an acquire during an unsubscribe by a new subscribe, and
 * no two commands for one channel are ever in flight together.
 */
export interface SubscriberConnection {
  subscribe(channel: string): Promise<unknown>
  unsubscribe(channel: string): Promise<unknown>
}

interface Channel {
  refs: number
  subscribed: boolean
  /** The loop bringing `subscribed` in line with `refs > 0`, while one runs. */
  settling: Promise<void> | undefined
}

export function createChannelSubscriptions(connection: SubscriberConnection) {
  const channels = new Map<string, Channel>()

  async function converge(name: string, channel: Channel): Promise<void> {
    for (;;) {
      const wanted = channel.refs > 0
      if (wanted === channel.subscribed) return
      if (wanted) await connection.subscribe(name)
      else await connection.unsubscribe(name)
      channel.subscribed = wanted
    }
  }

  function settle(name: string, channel: Channel): Promise<void> {
    if (channel.settling) return channel.settling
    const settled = () => {
      channel.settling = undefined
      if (channel.refs === 0 && !channel.subscribed && channels.get(name) === channel) channels.delete(name)
    }
    const settling = converge(name, channel).then(
      () => {
        settled()
        // A hold or release that came after the loop's last look (same tick) starts the next loop.
        if (channel.refs > 0 !== channel.subscribed) void settle(name, channel).catch(() => {})
      },
      (error: unknown) => {
        // No retry here (Redis is away): the next acquire or release, or the reconnect, tries again.
        settled()
        throw error
      },
    )
    channel.settling = settling
    return settling
  }

  return {
    /**
     * Resolves once the channel is subscribed (messages published from then on arrive). A failed
     * acquire still counts as a hold: the holder releases it like any other (on socket close).
     */
    async acquire(name: string): Promise<void> {
      let channel = channels.get(name)
      if (!channel) {
        channel = { refs: 0, subscribed: false, settling: undefined }
        channels.set(name, channel)
      }
      channel.refs++
      // Another holder's settle may fail or end unsubscribed (it raced a release): retry until this
      // holder's wish is met or the connection itself says no. Once every hold is gone (this one
      // was released before the subscribe answered: a socket closed at once) nobody waits for the
      // channel, and settling again would end at once, unsubscribed, in a loop that never yields.
      while (!channel.subscribed && channel.refs > 0) await settle(name, channel)
    },

    /** Lets go of one hold; the last one unsubscribes (in the background: nobody waits for it). */
    release(name: string): Promise<void> {
      const channel = channels.get(name)
      if (!channel || channel.refs === 0) return Promise.resolve()
      channel.refs--
      return settle(name, channel)
    },

    /**
     * After the connection came back: confirms every wanted channel (SSUBSCRIBE is idempotent, and
     * its answer says the subscription is live again) and drops those released while it was away.
     */
    async resubscribeAll(): Promise<void> {
      await Promise.all(
        [...channels].map(async ([name, channel]) => {
          if (channel.refs > 0 && channel.subscribed) await connection.subscribe(name)
          else await settle(name, channel)
        }),
      )
    },

    /** The channels subscribed now. */
    subscribed(): string[] {
      return [...channels].filter(([, channel]) => channel.subscribed).map(([name]) => name)
    },

    get size() {
      return channels.size
    },
  }
}
export type ChannelSubscriptions = ReturnType<typeof createChannelSubscriptions>
