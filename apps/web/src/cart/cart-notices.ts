import { type CartItem, CartNotice } from '@bookstore/events'
import { Check } from 'typebox/value'
import { formatMoney } from '../format/money'

/** The notices of a cart event that this shop knows how to say; later kinds are skipped, not fatal. */
export const knownNotices = (notices: readonly unknown[] | undefined): CartNotice[] =>
  (notices ?? []).filter((notice): notice is CartNotice => Check(CartNotice, notice))

/** A catalog change to the cart in the shopper's words (SPEC B3-B5). */
export function noticeText(notice: CartNotice, locale?: string): string {
  const money = (cents: number) => formatMoney(cents, locale)
  switch (notice.kind) {
    case 'price-changed':
      return `The price of “${notice.title}” changed from ${money(notice.fromCents)} to ${money(notice.toCents)}.`
    case 'title-changed':
      return `“${notice.fromTitle}” is now called “${notice.toTitle}”.`
    case 'book-removed':
      return `“${notice.title}” is no longer sold and was taken out of your cart.`
    case 'out-of-stock':
      return `“${notice.title}” is out of stock.`
    case 'stock-limited':
      return `Only ${notice.availableStock} left of “${notice.title}”; you have ${notice.quantity} in your cart.`
    case 'back-in-stock':
      return `“${notice.title}” is back in stock.`
  }
}

/** What a cart line itself says about the catalog: a changed price, missing or short stock. */
export function lineHints(item: CartItem, locale?: string): string[] {
  const hints: string[] = []
  if (item.previousUnitPriceCents !== undefined && item.previousUnitPriceCents !== item.unitPriceCents)
    hints.push(
      `Price changed from ${formatMoney(item.previousUnitPriceCents, locale)} to ${formatMoney(item.unitPriceCents, locale)}`,
    )
  if (item.outOfStock) hints.push('Out of stock: remove it to check out')
  else if (item.availableStock !== undefined && item.availableStock < item.quantity)
    hints.push(`Only ${item.availableStock} left: lower the quantity to check out`)
  return hints
}
