import { ApiError } from '../api/api-error'

/** Why a cart change was refused, in the shopper's words, by cart-api's stable codes. */
export function refusalMessage(error: unknown, title: string): string {
  if (!(error instanceof ApiError)) return `Could not change “${title}” in your cart.`
  const available = error.details.available
  switch (error.code) {
    case 'CART_OUT_OF_STOCK':
      return typeof available === 'number' && available > 0
        ? `Only ${available} of “${title}” left in stock: your cart was not changed.`
        : `“${title}” is out of stock: your cart was not changed.`
    case 'CART_QUANTITY_LIMIT':
      return `That is more copies of “${title}” than one cart may hold.`
    case 'CART_ITEMS_LIMIT':
      return 'Your cart holds as many different books as it can: remove one first.'
    case 'BOOK_NOT_FOUND':
      return `“${title}” is no longer sold.`
    case 'CART_ITEM_NOT_FOUND':
      return `“${title}” was no longer in your cart.`
    case 'NETWORK_ERROR':
      return `No connection: “${title}” was not changed. Try again.`
    default:
      if (error.status === 429 || error.status === 503)
        return `The cart is busy: “${title}” was not changed. Try again in a moment.`
      return `${error.message}: “${title}” was not changed.`
  }
}
