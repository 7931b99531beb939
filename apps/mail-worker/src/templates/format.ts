/** What a template makes of a job: the parts of one e-mail. */
export interface RenderedEmail {
  subject: string
  text: string
  html: string
}

/** A payload that passed the schema but cannot be rendered safely: retrying will not help. */
export class UnrenderableEmailError extends Error {
  override name = 'UnrenderableEmailError'
}

/** For text and attribute values alike: every interpolated string in a template goes through this. */
export const escapeHtml = (value: string) =>
  value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;')

const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' })

/** Integer cents as US dollars: 4297 -> "$42.97". */
export const formatCents = (cents: number) => usd.format(cents / 100)

const day = new Intl.DateTimeFormat('en-US', { dateStyle: 'long', timeZone: 'UTC' })

/** A calendar day in UTC ("March 3, 2026"): the same text whichever host renders it. */
export const formatDay = (epochMs: number) => day.format(new Date(epochMs))

export const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`

/** Headers are one line: whatever a payload holds, a subject never spans two. */
export const oneLine = (value: string) => value.replace(/\s+/g, ' ').trim()

/**
 * A link the e-mail may carry: http(s) only. The schema's `uri` format also admits `javascript:`
 * and `data:` URLs, which must never become a button in someone's inbox.
 */
export function safeLink(url: string): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new UnrenderableEmailError(`not a URL: ${url.slice(0, 100)}`)
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw new UnrenderableEmailError(`only http(s) links are sent, not ${parsed.protocol}`)
  return parsed.href
}
