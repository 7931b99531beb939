import { users } from '@bookstore/db'
import { startSmtpSink } from '@bookstore/smtp-sink'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type OrderStack, startOrderStack, waitFor } from './harness'

let stack: OrderStack
let sink: Awaited<ReturnType<typeof startSmtpSink>>
beforeAll(async () => {
  sink = await startSmtpSink({ host: '127.0.0.1', port: 0 })
  stack = await startOrderStack({ orderEnv: { SHOP_URL: 'https://shop.example' } })
  await stack.start('mail-worker', { env: { SMTP_URL: sink.url } })
})
afterAll(async () => {
  await stack?.close()
  await sink?.close()
})

describe('after confirmation (SPEC O2)', () => {
  it('sends one confirmation e-mail through mail-worker to the account address', async () => {
    const book = await stack.createBook({ stock: 5, title: 'Persuasion', priceCents: 1100 })
    const shopper = await stack.shopperWith([[book.id, 2]])
    await stack.db.insert(users).values({ id: shopper.userId, email: 'anne@example.com', passwordHash: 'x' })
    const orderId = (await stack.checkout(shopper, shopper.cartVersion)).body.id as string
    await stack.settled(orderId)
    const mail = await waitFor(
      () => sink.messages().find((message) => message.to.includes('anne@example.com')),
      'the e-mail',
    )
    expect(mail.subject).toBe('Your order is confirmed: 2 books, $22.00')
    expect(mail.text).toContain('2 × Persuasion: $11.00 each, $22.00')
    expect(mail.text).toContain(`https://shop.example/orders/${orderId}`)
    // The sweep may hand the order back to the saga: it never sends a second one.
    await stack.sagaQueue().add('advance', { kind: 'advance', orderId })
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(sink.messages().filter((message) => message.to.includes('anne@example.com'))).toHaveLength(1)
  })
})
