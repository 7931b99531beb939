/**
 * A price typed in dollars ("12", "12.5", "12.99", "1,234.00") as integer cents, read from the text
 * itself (never through a float); undefined when it is not a price.
 */
export function parseDollars(text: string): number | undefined {
  const match = /^\s*\$?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?\s*$/.exec(text)
  if (!match?.[1]) return undefined
  const whole = Number(match[1].replaceAll(',', ''))
  const fraction = Number((match[2] ?? '').padEnd(2, '0'))
  const cents = whole * 100 + fraction
  return Number.isSafeInteger(cents) && cents <= 100_000_000 ? cents : undefined
}

/** Cents as the form shows them to edit: "12.99" (no currency sign, no grouping). */
export const dollarsText = (cents: number): string =>
  `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`
