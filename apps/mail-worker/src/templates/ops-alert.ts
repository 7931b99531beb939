import type { OpsAlertEmail } from '@bookstore/events'
import { escapeHtml, oneLine, type RenderedEmail } from './format'

/**
 * SPEC S3 (optional part): an alert for the operators. The producer words the subject and the
 * facts, one per line, shown as they are (a line may be its own "- item"); the alert name travels
 * in the body and in the X-Bookstore-Alert header, for mail filters.
 */
export function renderOpsAlert(email: OpsAlertEmail): RenderedEmail {
  const raised = new Date(email.raisedAt).toISOString()
  const subject = oneLine(email.subject)
  const text = [subject, '', `Alert: ${email.alert}`, `Raised: ${raised}`, '', ...email.lines, ''].join('\n')
  const lines = email.lines
    .map((line) => `<div style="margin:0 0 4px 0;white-space:pre-wrap">${escapeHtml(line)}</div>`)
    .join('\n')
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="font-family:Menlo,Consolas,monospace;font-size:14px;color:#111827">
<h1 style="font-size:18px;margin:0 0 8px 0">${escapeHtml(subject)}</h1>
<p style="margin:0 0 12px 0">Alert: <b>${escapeHtml(email.alert)}</b><br>Raised: ${escapeHtml(raised)}</p>
${lines}
</body></html>
`
  return { subject, text, html }
}
