import { abandonedCartJobId, type OpsAlertEmail } from '@bookstore/events'
import { type SmtpSink, startSmtpSink } from '@bookstore/smtp-sink'
import { freePort, metricValue, uniqueId, waitFor } from '@bookstore/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { reminder, startMailWorker, type TestMailWorker } from './harness'

const to = () => `${uniqueId('shopper')}@example.com`
const sentTo = (address: string) => (message: { to: string[] }) => message.to.includes(address)

describe('mail-worker with SMTP up (SPEC S1)', () => {
  let sink: SmtpSink
  let mail: TestMailWorker
  beforeAll(async () => {
    // Mailboxes named unknown-… do not exist: the server refuses them for good (550).
    sink = await startSmtpSink({ refuseRecipient: (address) => address.startsWith('unknown-') })
    mail = await startMailWorker(sink.url)
  })
  afterAll(async () => {
    await mail?.close()
    await sink?.close()
  })

  it('sends an abandoned-cart reminder from the queue', async () => {
    const address = to()
    const email = reminder({ to: address })
    const jobId = abandonedCartJobId(email)
    await mail.add(email, jobId)

    const [message] = await sink.waitForMessages(1, { where: sentTo(address) })
    expect(message).toMatchObject({
      from: '"Bookstore" <no-reply@bookstore.local>',
      to: [address],
      envelope: { to: [address] },
      subject: 'Your cart is waiting: 3 books, $42.97',
      messageId: `<${jobId}@bookstore.local>`,
      headers: { 'x-bookstore-job': jobId, 'x-bookstore-email': 'abandoned-cart' },
    })
    for (const part of [message?.text ?? '', message?.html ?? '']) {
      for (const fact of ['Dune', 'Emma', '$19.99', '$39.98', '$2.99', '$42.97', 'https://shop.example/cart'])
        expect(part).toContain(fact)
    }
    expect(message?.text).toContain('2 × Dune')
    expect(message?.html).toContain('<a href="https://shop.example/cart"')

    await expect.poll(() => metricValue(mail.worker, 'emails_sent_total', 'kind="abandoned-cart"')).toBe(1)
    expect(
      await metricValue(
        mail.worker,
        'email_send_duration_seconds_count',
        'kind="abandoned-cart"',
        'result="sent"',
      ),
    ).toBe(1)
    expect(mail.logs.some((line) => line.msg === 'e-mail sent' && line.jobId === jobId)).toBe(true)
    // The recipient's address is never logged.
    expect(JSON.stringify(mail.logs)).not.toContain(address)
  })

  it('sends an ops alert', async () => {
    const address = to()
    const alert: OpsAlertEmail = {
      kind: 'ops-alert',
      to: address,
      alert: 'cart-persistence-dead-letter',
      subject: '1 persistence job dead-lettered',
      lines: ['job 17: poisoned cart user-9'],
      raisedAt: Date.UTC(2026, 2, 3),
    }
    await mail.add(alert)
    const [message] = await sink.waitForMessages(1, { where: sentTo(address) })
    expect(message?.subject).toBe('1 persistence job dead-lettered')
    expect(message?.headers['x-bookstore-alert']).toBe('cart-persistence-dead-letter')
    expect(message?.text).toContain('job 17: poisoned cart user-9')
  })

  it('parks a job that can never be sent at once, and sends nothing', async () => {
    const address = to()
    const before = await mail.dlq.getWaitingCount()
    await mail.addRaw('abandoned-cart', { ...reminder({ to: address }), items: [] })
    await mail.add(reminder({ to: address, cartUrl: 'javascript:alert(1)' }))

    await expect.poll(() => mail.dlq.getWaitingCount()).toBe(before + 2)
    const parked = (await mail.dlq.getJobs(['waiting'], 0, -1, true)).slice(-2).map((job) => job.data)
    expect(parked.map((entry) => entry.attemptsMade)).toEqual([1, 1])
    expect(parked.map((entry) => entry.failedReason).sort()).toEqual([
      expect.stringMatching(/^cannot render abandoned-cart: only http\(s\) links/),
      expect.stringMatching(/^invalid abandoned-cart payload: \/items/),
    ])
    expect(await metricValue(mail.worker, 'email_dead_letter_alerts_total')).toBe(2)
    expect(await metricValue(mail.worker, 'email_send_failures_total', 'kind="abandoned-cart"')).toBe(2)
    // Nothing reached the SMTP server (the jobs before this one were all sent and seen).
    expect(sink.messages().filter(sentTo(address))).toEqual([])
  })

  it('parks a mail the SMTP server refuses for good (5xx) after one attempt, without retrying it', async () => {
    const address = `unknown-${to()}`
    const alertsBefore = await metricValue(mail.worker, 'email_dead_letter_alerts_total')
    const jobId = uniqueId('refused')
    await mail.add(reminder({ to: address }), jobId)

    const entry = await waitFor(
      async () => (await mail.dlq.getJobs(['waiting'], 0, -1, true)).find((job) => job.data.jobId === jobId),
      `the refused e-mail ${jobId} in the dead-letter queue`,
    )
    expect(entry.data).toMatchObject({ attemptsMade: 1 })
    expect(entry.data.failedReason).toMatch(/^the SMTP server refused it: .*550/)
    expect(await metricValue(mail.worker, 'email_dead_letter_alerts_total')).toBe(alertsBefore + 1)
    expect(sink.messages().filter(sentTo(address))).toEqual([])
  })

  it('a parked mail replayed or discarded at once stays so: its failed original leaves with it', async () => {
    for (const action of ['discard', 'replay'] as const) {
      const jobId = uniqueId(`refused-${action}`)
      await mail.add(reminder({ to: `unknown-${to()}` }), jobId)
      const entry = await waitFor(
        async () =>
          (await mail.dlq.getJobs(['waiting'], 0, -1, true)).find((job) => job.data.jobId === jobId),
        `the refused e-mail ${jobId} in the dead-letter queue`,
      )
      const answer = await mail.worker.inject({
        method: action === 'discard' ? 'DELETE' : 'POST',
        url:
          action === 'discard' ? `/admin/dead-letters/${entry.id}` : `/admin/dead-letters/${entry.id}/replay`,
        headers: await mail.admin(),
      })
      expect(answer.statusCode).toBe(200)
      // Before, the original waited in the failed set for the sweep, which then parked it again
      // (the DLQ entry it looks for was gone): a discarded mail came back.
      expect(await mail.queue.getJob(jobId)).toBeUndefined()
    }
  })
})

describe('mail-worker with SMTP down (SPEC S3)', () => {
  let port: number
  let mail: TestMailWorker
  let sink: SmtpSink | undefined
  beforeAll(async () => {
    // A port nothing listens on (yet): every send is refused.
    port = await freePort()
    mail = await startMailWorker(`smtp://127.0.0.1:${port}`, { EMAIL_ATTEMPTS: '3', EMAIL_BACKOFF_MS: '20' })
  })
  afterAll(async () => {
    await mail?.close()
    await mail?.close() // closing twice is harmless
    await sink?.close()
  })

  it('is ready while SMTP is away: the mail waits in the queue', async () => {
    const ready = await mail.worker.inject({ url: '/health/ready' })
    expect(ready.statusCode).toBe(200)
    expect(ready.json().checks).toEqual({ redis: 'ok' })
  })

  it('tries every attempt, parks the job with an alert, and a replay sends it once SMTP is back', async () => {
    const address = to()
    const email = reminder({ to: address })
    const job = await mail.add(email)

    await expect.poll(() => mail.dlq.getWaitingCount(), { timeout: 15_000 }).toBe(1)
    expect(await job.getState()).toBe('failed')
    const list = await mail.worker.inject({ url: '/admin/dead-letters', headers: await mail.admin() })
    expect(list.statusCode).toBe(200)
    const [parked] = list.json().jobs
    expect(parked).toMatchObject({
      queue: '{email}',
      jobId: job.id,
      name: 'abandoned-cart',
      attemptsMade: 3,
      userIds: [email.userId],
      data: email,
    })
    expect(parked.failedReason).toMatch(/ECONNREFUSED/)

    expect(await metricValue(mail.worker, 'email_dead_letter_alerts_total')).toBe(1)
    expect(await metricValue(mail.worker, 'email_send_failures_total', 'kind="abandoned-cart"')).toBe(3)
    expect(await metricValue(mail.worker, 'email_dead_letter_jobs')).toBe(1)
    expect(await metricValue(mail.worker, 'emails_sent_total')).toBe(0)
    expect(await metricValue(mail.worker, 'queue_jobs', 'queue="{email-dlq}"', 'state="waiting"')).toBe(1)
    const alerts = mail.logs.filter((line) => line.alert === 'email-dead-letter')
    expect(alerts).toHaveLength(1)
    expect(alerts[0]).toMatchObject({
      level: 50,
      jobId: job.id,
      job: 'abandoned-cart',
      userIds: [email.userId],
    })
    expect(mail.logs.filter((line) => line.msg === 'e-mail job failed; it will retry')).toHaveLength(2)

    // SMTP comes back; an admin replays the job and the e-mail goes out.
    sink = await startSmtpSink({ port })
    const replay = await mail.worker.inject({
      method: 'POST',
      url: `/admin/dead-letters/${parked.id}/replay`,
      headers: await mail.admin(),
    })
    expect(replay.statusCode).toBe(200)
    const [message] = await sink.waitForMessages(1, { where: sentTo(address) })
    expect(message?.subject).toBe('Your cart is waiting: 3 books, $42.97')
    expect(message?.headers['x-bookstore-job']).toBe(replay.json().replayedAs)
    // Same reminder, same Message-ID, whichever job sent it.
    expect(message?.messageId).toBe(`<${abandonedCartJobId(email)}@bookstore.local>`)
    expect(await mail.dlq.getWaitingCount()).toBe(0)
    await expect.poll(() => metricValue(mail.worker, 'emails_sent_total', 'kind="abandoned-cart"')).toBe(1)
  })

  it('guards the DLQ routes: 401 without a token, 403 as a customer, 404 for an unknown id', async () => {
    const none = await mail.worker.inject({ url: '/admin/dead-letters' })
    expect(none.statusCode).toBe(401)
    expect(none.json().error.code).toBe('AUTH_TOKEN_MISSING')
    const customer = await mail.worker.inject({ url: '/admin/dead-letters', headers: await mail.customer() })
    expect(customer.statusCode).toBe(403)
    expect(customer.json().error.code).toBe('FORBIDDEN')

    for (const request of [
      { method: 'POST' as const, url: '/admin/dead-letters/dead-email-nope/replay' },
      { method: 'DELETE' as const, url: '/admin/dead-letters/dead-email-nope' },
    ]) {
      const missing = await mail.worker.inject({ ...request, headers: await mail.admin() })
      expect(missing.statusCode).toBe(404)
      expect(missing.json().error).toMatchObject({
        code: 'DEAD_LETTER_NOT_FOUND',
        details: { id: 'dead-email-nope' },
      })
    }
    const bad = await mail.worker.inject({ url: '/admin/dead-letters?limit=0', headers: await mail.admin() })
    expect(bad.statusCode).toBe(400)

    // Discard: park a job, then drop it for good.
    await mail.addRaw('ops-alert', { kind: 'ops-alert' })
    await expect.poll(() => mail.dlq.getWaitingCount()).toBe(1)
    const [parked] = (
      await mail.worker.inject({ url: '/admin/dead-letters', headers: await mail.admin() })
    ).json().jobs
    expect(parked.userIds).toEqual([])
    const discard = await mail.worker.inject({
      method: 'DELETE',
      url: `/admin/dead-letters/${parked.id}`,
      headers: await mail.admin(),
    })
    expect(discard.json()).toEqual({ discarded: true })
    expect(await mail.dlq.getWaitingCount()).toBe(0)

    const openapi = (await mail.worker.inject({ url: '/openapi.json' })).json()
    expect(openapi.paths['/admin/dead-letters'].get.summary).toBe('List parked e-mail jobs, oldest first')
  })
})
