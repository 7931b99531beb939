import type { EmailJob } from '@bookstore/events'
import { renderAbandonedCart } from './abandoned-cart'
import type { RenderedEmail } from './format'
import { renderOpsAlert } from './ops-alert'
import { renderOrderConfirmed } from './order-confirmed'

export { renderAbandonedCart } from './abandoned-cart'
export { escapeHtml, formatCents, type RenderedEmail, UnrenderableEmailError } from './format'
export { renderOpsAlert } from './ops-alert'
export { renderOrderConfirmed } from './order-confirmed'

/** The e-mail for a (validated) job: one template per kind. */
export function renderEmail(job: EmailJob): RenderedEmail {
  switch (job.kind) {
    case 'abandoned-cart':
      return renderAbandonedCart(job)
    case 'ops-alert':
      return renderOpsAlert(job)
    case 'order-confirmed':
      return renderOrderConfirmed(job)
  }
}
