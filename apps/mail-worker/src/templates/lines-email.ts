import type { ReminderLine } from '@bookstore/events'
import { escapeHtml, formatCents, oneLine } from './format'

const FONT = "font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif"
const CELL = 'padding:8px 12px;border-bottom:1px solid #e5e7eb'

/** The books of a cart or an order as one table: title, quantity, unit price, line total, and the total. */
function linesTable(items: readonly ReminderLine[], total: string): string {
  const rows = items
    .map(
      (item) => `<tr>
<td style="${CELL}">${escapeHtml(item.title)}</td>
<td style="${CELL};text-align:center">${item.quantity}</td>
<td style="${CELL};text-align:right;white-space:nowrap">${escapeHtml(formatCents(item.unitPriceCents))}</td>
<td style="${CELL};text-align:right;white-space:nowrap">${escapeHtml(formatCents(item.lineTotalCents))}</td>
</tr>`,
    )
    .join('\n')
  const heading = (label: string, align: string) =>
    `<th style="padding:8px 12px;border-bottom:2px solid #d1d5db;text-align:${align};font-size:13px;color:#6b7280">${label}</th>`

  return `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse;font-size:15px">
<thead><tr>${heading('Book', 'left')}${heading('Qty', 'center')}${heading('Price', 'right')}${heading('Total', 'right')}</tr></thead>
<tbody>
${rows}
</tbody>
<tfoot><tr><td colspan="3" style="padding:12px;text-align:right;font-weight:bold">Total</td>
<td style="padding:12px;text-align:right;font-weight:bold;white-space:nowrap">${escapeHtml(total)}</td></tr></tfoot>
</table>`
}

/** The same lines as text, one per line. */
export const textLines = (items: readonly ReminderLine[]) =>
  items.map(
    (item) =>
      `  ${item.quantity} × ${oneLine(item.title)}: ${formatCents(item.unitPriceCents)} each, ${formatCents(item.lineTotalCents)}`,
  )

export interface LinesEmail {
  subject: string
  heading: string
  /** One sentence under the heading (plain text: escaped here). */
  intro: string
  items: readonly ReminderLine[]
  total: string
  /** The one way on: a checked http(s) link (safeLink), as a button and as text. */
  link: string
  button: string
  note: string
}

/** The HTML of an e-mail about some books (a cart waiting, an order confirmed): one layout for both. */
export function linesEmailHtml(email: LinesEmail): string {
  const { link } = email
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(email.subject)}</title></head>
<body style="margin:0;padding:0;background:#f3f4f6;${FONT};color:#111827">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f3f4f6"><tr><td align="center" style="padding:24px 12px">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" style="max-width:600px;width:100%;background:#ffffff;border-radius:8px">
<tr><td style="padding:32px 32px 8px 32px">
<h1 style="margin:0 0 12px 0;font-size:24px">${escapeHtml(email.heading)}</h1>
<p style="margin:0;font-size:16px;line-height:1.5">${escapeHtml(email.intro)}</p>
</td></tr>
<tr><td style="padding:16px 32px">
${linesTable(email.items, email.total)}
</td></tr>
<tr><td align="center" style="padding:8px 32px 24px 32px">
<a href="${escapeHtml(link)}" style="display:inline-block;padding:14px 28px;background:#1d4ed8;color:#ffffff;text-decoration:none;border-radius:6px;font-size:16px;font-weight:bold">${escapeHtml(email.button)}</a>
</td></tr>
<tr><td style="padding:0 32px 32px 32px;font-size:13px;line-height:1.5;color:#6b7280">
<p style="margin:0 0 8px 0">${escapeHtml(email.note)}</p>
<p style="margin:0">Button not working? Open this link: <a href="${escapeHtml(link)}" style="color:#1d4ed8">${escapeHtml(link)}</a></p>
</td></tr>
</table>
</td></tr></table>
</body></html>
`
}
