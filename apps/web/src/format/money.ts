/** The shop's prices are US dollars in integer cents (SPEC: money is never a float in the system). */
export const SHOP_CURRENCY = 'USD'

const formatters = new Map<string, Intl.NumberFormat>()

/** Cents in the shopper's own number format (their browser's language), e.g. $1,234.50 or 1.234,50 $. */
export function formatMoney(cents: number, locale?: string): string {
  const key = locale ?? ''
  let formatter = formatters.get(key)
  if (!formatter) {
    formatter = new Intl.NumberFormat(locale, { style: 'currency', currency: SHOP_CURRENCY })
    formatters.set(key, formatter)
  }
  return formatter.format(cents / 100)
}
