import type { OpsAlertEmail } from '@bookstore/events'
import { escapeHtml, oneLine, type RenderedEmail } from './format'

/**
 * SPEC S3 (optional part): an alert for the operators. Plain facts, one per line; the alert name
 * leads the subject so that mail filters can sort on it.
 */
export function renderOpsAlert(email: OpsAlertEmail): RenderedEmail {
  const raised = new Date(email.raisedAt).toISOString()
  const subject = oneLine(`[${email.alert}] ${email.subject}`)
  const text = [
    email.subject,
    '',
    `Alert: ${email.alert}`,
    `Raised: ${raised}`,
    '',
    ...email.lines.map((line) => `- ${line}`),
    '',
  ].join('\n')
  const items = email.lines.map((line) => `<li style="margin:0 0 4px 0">${escapeHtml(line)}</li>`).join('\n')
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="font-family:Menlo,Consolas,monospace;font-size:14px;color:#111827">
<h1 style="font-size:18px;margin:0 0 8px 0">${escapeHtml(email.subject)}</h1>
<p style="margin:0 0 12px 0">Alert: <b>${escapeHtml(email.alert)}</b><br>Raised: ${escapeHtml(raised)}</p>
${items ? `<ul style="padding-left:20px;margin:0">\n${items}\n</ul>` : ''}
</body></html>
`
  return { subject, text, html }
}
