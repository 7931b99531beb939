import type { OrderConfirmedEmail } from '@bookstore/events'
import { formatCents, formatDay, oneLine, plural, type RenderedEmail, safeLink } from './format'
import { linesEmailHtml, textLines } from './lines-email'

/**
 * SPEC O2: "your order is confirmed", once per order. It lists what was bought at the price paid
 * (the order's lines, never the catalog's prices of today) and links to the order's page, where
 * its status follows.
 */
export function renderOrderConfirmed(email: OrderConfirmedEmail): RenderedEmail {
  const link = safeLink(email.orderUrl)
  const books = plural(email.itemCount, 'book', 'books')
  const total = formatCents(email.totalCents)
  const day = formatDay(email.confirmedAt)
  const subject = oneLine(`Your order is confirmed: ${books}, ${total}`)
  const note = `Order ${email.orderId}. You can cancel it from its page until it ships.`
  const text = [
    'Your order is confirmed',
    '',
    `We have your payment for ${books} (${day}):`,
    '',
    ...textLines(email.lines),
    '',
    `Total paid: ${total}`,
    '',
    `Follow your order: ${link}`,
    '',
    note,
    '',
  ].join('\n')
  const html = linesEmailHtml({
    subject,
    heading: 'Your order is confirmed',
    intro: `We have your payment for ${books} (${day}).`,
    items: email.lines,
    total,
    link,
    button: 'Follow your order',
    note,
  })
  return { subject, text, html }
}
