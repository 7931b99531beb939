import type { AbandonedCartEmail } from '@bookstore/events'
import { formatCents, formatDay, oneLine, plural, type RenderedEmail, safeLink } from './format'
import { linesEmailHtml, textLines } from './lines-email'

/**
 * SPEC S1: the reminder for a cart left alone. It shows what the cart held when the scheduler
 * looked (each book with quantity, unit price and line total, and the total) and one clear way
 * back to it. Prices may have moved since, which the e-mail says: the cart page is the truth.
 */
export function renderAbandonedCart(email: AbandonedCartEmail): RenderedEmail {
  const link = safeLink(email.cartUrl)
  const books = plural(email.itemCount, 'book', 'books')
  const total = formatCents(email.totalCents)
  const since = formatDay(email.idleSince)
  const subject = oneLine(`Your cart is waiting: ${books}, ${total}`)
  const note = 'Prices and stock may have changed since; your cart always shows them as they are now.'

  const text = [
    'Your cart is waiting',
    '',
    `You left ${books} in your cart (last changed ${since}):`,
    '',
    ...textLines(email.items),
    '',
    `Total: ${total}`,
    '',
    `Go to your cart: ${link}`,
    '',
    note,
    '',
  ].join('\n')

  const html = linesEmailHtml({
    subject,
    heading: 'Your cart is waiting',
    intro: `You left ${books} in your cart (last changed ${since}).`,
    items: email.items,
    total,
    link,
    button: 'Go to your cart',
    note,
  })
  return { subject, text, html }
}
