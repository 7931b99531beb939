import type { OrderStatus } from '@bookstore/events'
import { ApiError } from '../api/api-error'
import { errorText } from '../components/status-message'
import { statusLabels } from '../orders/order-status'

/** book-api's and order-api's refusals of an admin's change, in words (by their stable codes). */
export function adminRefusal(error: unknown): string {
  if (!(error instanceof ApiError)) return errorText(error)
  switch (error.code) {
    case 'BOOK_EXISTS':
      return 'A book with this id exists already.'
    case 'BOOK_NOT_FOUND':
      return 'This book is not in the catalog (any more).'
    case 'CATEGORY_NOT_FOUND':
      return 'One of the categories does not exist.'
    case 'STOCK_NEGATIVE':
      return 'The stock cannot go below zero.'
    case 'ORDER_STATE_CHANGED':
    case 'ORDER_TRANSITION_INVALID': {
      const status = error.details.status
      const now =
        typeof status === 'string' && status in statusLabels ? statusLabels[status as OrderStatus] : undefined
      return `The order moved on meanwhile${now ? `: it is ${now.toLowerCase()} now` : ''}. Nothing was changed.`
    }
    case 'DEAD_LETTER_NOT_FOUND':
      return 'This job is no longer parked (replayed or discarded meanwhile).'
    case 'FORBIDDEN':
      return 'Your account is not allowed to do this.'
    default:
      return error.message
  }
}
