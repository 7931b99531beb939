import type { OpsAlertEmail } from '@bookstore/events'
import { describe, expect, it } from 'vitest'
import { domainOf, messageIdOf, outgoingEmail, payloadProblem, userIdsOf } from '../src/domain/email-message'
import { renderAbandonedCart, renderEmail, renderOpsAlert } from '../src/templates'
import { escapeHtml, formatCents, UnrenderableEmailError } from '../src/templates/format'
import { reminder as reminderWithUniqueUser } from './harness'

/** A reminder with a fixed user (the Message-ID below names it). */
const reminder: typeof reminderWithUniqueUser = (overrides) =>
  reminderWithUniqueUser({ userId: 'user-1', ...overrides })

const alert: OpsAlertEmail = {
  kind: 'ops-alert',
  to: 'ops@example.com',
  alert: 'email-dead-letter',
  subject: '2 e-mail jobs dead-lettered',
  lines: ['job 12: connect ECONNREFUSED', '- job <13> & co'],
  raisedAt: Date.UTC(2026, 2, 3, 12, 30),
}

describe('formatting', () => {
  it('formats cents as US dollars and escapes HTML', () => {
    expect(formatCents(4297)).toBe('$42.97')
    expect(formatCents(0)).toBe('$0.00')
    expect(formatCents(123456789)).toBe('$1,234,567.89')
    expect(escapeHtml(`<a href="x">Tom & Jerry's</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;',
    )
  })
})

describe('abandoned-cart template (SPEC S1)', () => {
  it('says how many books and the total in the subject, and lists every line in text and HTML', () => {
    const email = renderAbandonedCart(reminder())
    expect(email.subject).toBe('Your cart is waiting: 3 books, $42.97')
    for (const part of [email.text, email.html]) {
      expect(part).toContain('Dune')
      expect(part).toContain('Emma')
      expect(part).toContain('$19.99')
      expect(part).toContain('$39.98')
      expect(part).toContain('$2.99')
      expect(part).toContain('$42.97')
      expect(part).toContain('https://shop.example/cart')
      expect(part).toContain('March 3, 2026')
    }
    expect(email.text).toContain('2 × Dune: $19.99 each, $39.98')
    expect(email.text).toContain('Total: $42.97')
    expect(email.text).toContain('Go to your cart: https://shop.example/cart')
    expect(email.html).toContain('<a href="https://shop.example/cart"')
    expect(email.html).toMatch(/>\s*2\s*<\/td>/)
  })

  it('says "1 book" for one copy', () => {
    const one = reminder({
      items: [{ bookId: 'b', title: 'Emma', quantity: 1, unitPriceCents: 299, lineTotalCents: 299 }],
      totalCents: 299,
      itemCount: 1,
    })
    expect(renderAbandonedCart(one).subject).toBe('Your cart is waiting: 1 book, $2.99')
  })

  it('escapes every interpolated string', () => {
    const email = renderAbandonedCart(
      reminder({
        items: [
          {
            bookId: 'book-x',
            title: '<script>alert("x")</script> Tom & Jerry',
            quantity: 1,
            unitPriceCents: 100,
            lineTotalCents: 100,
          },
        ],
        totalCents: 100,
        itemCount: 1,
        cartUrl: 'https://shop.example/cart?a=1&b="2"',
      }),
    )
    expect(email.html).not.toContain('<script>')
    expect(email.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Tom &amp; Jerry')
    expect(email.html).toContain('href="https://shop.example/cart?a=1&amp;b=%222%22"')
    expect(email.html).not.toContain('Tom & Jerry')
    // Plain text stays plain: no entities there.
    expect(email.text).toContain('<script>alert("x")</script> Tom & Jerry')
  })

  it('refuses links that are not http(s), and keeps subjects on one line', () => {
    expect(() => renderAbandonedCart(reminder({ cartUrl: 'javascript:alert(1)' }))).toThrow(
      UnrenderableEmailError,
    )
    expect(() => renderAbandonedCart(reminder({ cartUrl: 'data:text/html,hi' }))).toThrow(/http/)
    const alertEmail = renderOpsAlert({ ...alert, subject: 'two\r\nBcc: victim@example.com' })
    expect(alertEmail.subject).toBe('two Bcc: victim@example.com')
  })
})

describe('ops-alert template (SPEC S3)', () => {
  it('shows the subject and the lines as given, escaped in HTML', () => {
    const email = renderEmail(alert)
    expect(email.subject).toBe('2 e-mail jobs dead-lettered')
    expect(email.text).toContain('Alert: email-dead-letter')
    expect(email.text).toContain('Raised: 2026-03-03T12:30:00.000Z')
    expect(email.text).toContain('\njob 12: connect ECONNREFUSED\n- job <13> & co\n')
    expect(email.html).toContain(
      '<div style="margin:0 0 4px 0;white-space:pre-wrap">- job &lt;13&gt; &amp; co</div>',
    )
    expect(email.html).not.toContain('<13>')
    const headers = outgoingEmail(alert, email, '9', 'ops@bookstore.local').headers
    expect(headers['X-Bookstore-Alert']).toBe('email-dead-letter')
  })
})

describe('the outgoing message', () => {
  it('names the job in a header and derives a stable Message-ID', () => {
    const job = reminder()
    const email = outgoingEmail(job, renderEmail(job), '42', '"Bookstore" <no-reply@bookstore.local>')
    expect(email.headers['X-Bookstore-Job']).toBe('42')
    expect(email.messageId).toBe(`<abandoned-cart-user-1-${job.idleSince}@bookstore.local>`)
    // A replay (another job id) of the same reminder keeps the Message-ID.
    expect(messageIdOf(job, '43', 'bookstore.local')).toBe(email.messageId)
    expect(messageIdOf(alert, 'a b<c>', 'ops.example')).toBe('<job-a_b_c_@ops.example>')
    expect(domainOf('no-reply@shop.example')).toBe('shop.example')
  })

  it('tells what is wrong with a payload', () => {
    expect(payloadProblem('abandoned-cart', reminder())).toBeUndefined()
    expect(payloadProblem('abandoned-cart', reminder({ to: 'nope' }))).toMatch(
      /invalid abandoned-cart payload: \/to must match format "email"/,
    )
    expect(payloadProblem('x', { kind: 'spam' })).toMatch(/kind must be one of abandoned-cart, ops-alert/)
    expect(payloadProblem('ops-alert', reminder())).toMatch(/does not match its kind/)
    expect(payloadProblem('abandoned-cart', null)).toMatch(/kind must be/)
    expect(userIdsOf(reminder())).toEqual(['user-1'])
    expect(userIdsOf({ userId: 'has space' })).toEqual([])
  })
})
