import { setTimeout as sleep } from 'node:timers/promises'
import { users } from '@bookstore/db'
import { emailQueueNames, persistJobsOf, queueNames } from '@bookstore/events'
import { propagateToCart } from '@bookstore/lua'
import { type SmtpSink, startSmtpSink } from '@bookstore/smtp-sink'
import { freePort, waitFor } from '@bookstore/test-kit'
import { Queue } from 'bullmq'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startStack, type TestStack } from './harness'

const IDLE_MS = 1500

// SPEC S1 end to end: the scheduler finds carts idle with items, the mail worker sends ONE reminder
// per abandonment over SMTP, and a real SMTP server receives and parses it. S3: when SMTP is
// down the send retries, then dead-letters, and the dead-letter watch raises the alert.
describe('abandoned-cart reminders', () => {
  let stack: TestStack
  let sink: SmtpSink

  beforeAll(async () => {
    stack = await startStack()
    sink = await startSmtpSink()
  })
  afterAll(async () => {
    await sink?.close()
    await stack?.close()
  })

  /** A shopper with an account (the reminder's address comes from it). */
  async function customer(name: string) {
    const shopper = await stack.shopper()
    const email = `${name}-${shopper.userId}@example.com`.toLowerCase()
    await stack.db.insert(users).values({ id: shopper.userId, email, passwordHash: 'not-used-here' })
    return { ...shopper, email }
  }

  const toOf = (email: string) => (message: { to: string[] }) => message.to.includes(email)

  it('sends one reminder per abandonment, with the books and the total, and none for a fresh cart', async () => {
    const mailWorker = await stack.startMailWorker(sink.url)
    const scheduler = await stack.startScheduler({
      ABANDONED_AFTER_MS: String(IDLE_MS),
      SHOP_URL: 'https://shop.example',
    })
    const dune = await stack.seedBook({ title: 'Dune', priceCents: 1999 })
    const emma = await stack.seedBook({ title: 'Emma & <Friends>', priceCents: 299 })
    const idle = await customer('idle')
    const fresh = await customer('fresh')
    const anonymous = await stack.shopper()
    await stack.addItem(idle.auth, dune.bookId, 2)
    await stack.addItem(idle.auth, emma.bookId, 1)
    await stack.addItem(anonymous.auth, dune.bookId, 1)
    await stack.converged([idle.userId, anonymous.userId])
    await sleep(IDLE_MS + 100)
    await stack.addItem(fresh.auth, dune.bookId, 1)
    await stack.converged([fresh.userId])

    const first = await stack.runSchedule(scheduler, 'remind-abandoned-carts')
    expect(first).toMatchObject({ candidates: 1, reminded: 1 })
    const [message] = await sink.waitForMessages(1, { where: toOf(idle.email) })
    expect(message?.subject).toBe('Your cart is waiting: 3 books, $42.97')
    expect(message?.text).toContain('2 × Dune: $19.99 each, $39.98')
    expect(message?.text).toContain('1 × Emma & <Friends>: $2.99 each, $2.99')
    expect(message?.text).toContain('Total: $42.97')
    expect(message?.html).toContain('Emma &amp; &lt;Friends&gt;')
    expect(message?.html).toContain('href="https://shop.example/cart"')

    // Nothing changed: the second sweep finds no new abandonment and sends nothing new.
    const second = await stack.runSchedule(scheduler, 'remind-abandoned-carts')
    expect(second).toMatchObject({ candidates: 0, reminded: 0 })

    // A catalog change (here a price drop, as catalog-worker applies and persists it) makes a new
    // version but is not the shopper coming back: still the same abandonment, no second e-mail.
    const drop = await propagateToCart(
      stack.redis,
      idle.userId,
      {
        bookId: dune.bookId,
        op: 'book-updated',
        state: { title: dune.title, priceCents: 1799, stock: dune.stock, status: 'active' },
        bookVersion: 2,
      },
      { now: Date.now(), cartTtlSeconds: 3600 },
    )
    expect(drop.outcome).toBe('committed')
    const persistence = new Queue(queueNames.cartPersistence, {
      connection: stack.redis,
      prefix: stack.queuePrefix,
    })
    if (drop.outcome === 'committed')
      await persistence.addBulk(
        persistJobsOf([{ userId: idle.userId, version: drop.version, committedAt: Date.now() }]),
      )
    await persistence.close()
    await stack.converged([idle.userId])
    const afterPriceDrop = await stack.runSchedule(scheduler, 'remind-abandoned-carts')
    expect(afterPriceDrop).toMatchObject({ candidates: 0, reminded: 0 })

    // A later change and a new idle period earn another reminder; the fresh cart is idle by now too.
    await stack.addItem(idle.auth, emma.bookId, 1)
    await stack.converged([idle.userId])
    await sleep(IDLE_MS + 100)
    const third = await stack.runSchedule(scheduler, 'remind-abandoned-carts')
    expect(third).toMatchObject({ candidates: 2, reminded: 2 })
    const toIdle = await sink.waitForMessages(2, { where: toOf(idle.email) })
    expect(toIdle[1]?.subject).toBe('Your cart is waiting: 4 books, $41.96')
    await sink.waitForMessages(1, { where: toOf(fresh.email) })
    // Let a stray duplicate arrive if there were one.
    await sleep(300)
    expect(sink.messages().filter(toOf(idle.email))).toHaveLength(2)
    expect(sink.messages().filter(toOf(fresh.email))).toHaveLength(1)
    expect(sink.messages()).toHaveLength(3)
    // The next test brings its own (instances share their queues).
    await Promise.all([mailWorker.close(), scheduler.close()])
  })

  it('retries a send while SMTP is down, then dead-letters it and the watch raises the alert', async () => {
    const deadSmtp = `smtp://127.0.0.1:${await freePort()}`
    await stack.startMailWorker(deadSmtp, { SMTP_TIMEOUT_MS: '500' })
    const scheduler = await stack.startScheduler({
      ABANDONED_AFTER_MS: String(IDLE_MS),
      EMAIL_ATTEMPTS: '3',
      EMAIL_BACKOFF_MS: '50',
    })
    const book = await stack.seedBook({ title: 'Persuasion', priceCents: 999 })
    const shopper = await customer('unlucky')
    await stack.addItem(shopper.auth, book.bookId, 1)
    await stack.converged([shopper.userId])
    await sleep(IDLE_MS + 100)
    expect(await stack.runSchedule(scheduler, 'remind-abandoned-carts')).toMatchObject({ reminded: 1 })

    const connection = { connection: stack.redis, prefix: stack.queuePrefix }
    const dlq = new Queue(emailQueueNames.emailDeadLetter, connection)
    const parked = await waitFor(async () => (await dlq.getJobs(['waiting']))[0], 'the reminder to be parked')
    await dlq.close()
    expect(parked.data).toMatchObject({
      queue: emailQueueNames.email,
      name: 'abandoned-cart',
      attemptsMade: 3,
    })
    expect(parked.data.userIds).toEqual([shopper.userId])

    const watch = await stack.runSchedule(scheduler, 'watch-dead-letters')
    expect(watch).toMatchObject({ alerts: [{ queue: emailQueueNames.emailDeadLetter, newJobs: 1 }] })
    expect(stack.logs).toContainEqual(
      expect.objectContaining({ alert: 'dead-letter', queue: emailQueueNames.emailDeadLetter, level: 50 }),
    )
    const metrics = (await scheduler.inject({ url: '/metrics' })).body
    expect(metrics).toMatch(/^dead_letter_alerts_total\{queue="\{email-dlq\}"[^}]*\} 1$/m)
    expect(sink.messages().filter(toOf(shopper.email))).toEqual([])
  })
})
