import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { SinkMessage, SmtpSink } from './smtp-sink'

export interface MailViewerOptions {
  /** 0 (the default) picks a free port. */
  port?: number
  host?: string
}

export interface MailViewer {
  readonly port: number
  readonly url: string
  close(): Promise<void>
}

const escapeHtml = (value: string) =>
  value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;')

/**
 * The pages' policy. A srcdoc frame inherits it, so an e-mail shown there can run no script and
 * load nothing from anywhere (inline styles and data: images only), whatever it contains.
 */
const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; form-action 'none'"

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem .6rem;border-bottom:1px solid #ddd}
th{background:#f4f4f4}a{color:#0b57d0}dt{font-weight:600}dd{margin:0 0 .5rem 0}
iframe{width:100%;height:640px;border:1px solid #ccc;background:#fff}pre{white-space:pre-wrap;background:#f7f7f7;padding:1rem}`

const page = (title: string, body: string, refreshSeconds?: number) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
${refreshSeconds ? `<meta http-equiv="refresh" content="${refreshSeconds}">` : ''}
<style>${STYLE}</style></head><body>${body}</body></html>`

function listPage(messages: SinkMessage[]): string {
  const rows = messages
    .map(
      (
        message,
      ) => `<tr><td style="white-space:nowrap">${escapeHtml(message.receivedAt)}</td><td>${escapeHtml(message.from)}</td>
<td>${escapeHtml(message.to.join(', '))}</td>
<td><a href="/messages/${encodeURIComponent(message.id)}">${escapeHtml(message.subject || '(no subject)')}</a></td></tr>`,
    )
    .join('\n')
  return page(
    'smtp-sink',
    `<h1>smtp-sink</h1>
<p>${messages.length} message${messages.length === 1 ? '' : 's'}, newest first (this page refreshes every 5 s) ·
<a href="/api/messages">JSON</a></p>
<table><thead><tr><th>received</th><th>from</th><th>to</th><th>subject</th></tr></thead>
<tbody>${rows || '<tr><td colspan="4">No e-mail yet.</td></tr>'}</tbody></table>`,
    5,
  )
}

function messagePage(message: SinkMessage): string {
  const fields: [string, string][] = [
    ['From', message.from],
    ['To', message.to.join(', ')],
    ['Envelope', `${message.envelope.from} → ${message.envelope.to.join(', ')}`],
    ['Subject', message.subject],
    ['Date', message.date ?? ''],
    ['Received', message.receivedAt],
    ['Message-ID', message.messageId ?? ''],
    ...Object.entries(message.headers)
      .filter(([name]) => name.startsWith('x-'))
      .map(([name, value]): [string, string] => [name, value]),
  ]
  const list = fields.map(([name, value]) => `<dt>${escapeHtml(name)}</dt><dd>${escapeHtml(value)}</dd>`)
  // Links in the e-mail open in a new tab (outside the sandbox) instead of inside the frame.
  const html =
    message.html === null
      ? '<p>(no HTML part)</p>'
      : `<iframe title="HTML part" sandbox="allow-popups allow-popups-to-escape-sandbox"
srcdoc="${escapeHtml(`<base target="_blank">${message.html}`)}"></iframe>`
  return page(
    message.subject || 'e-mail',
    `<p><a href="/">← all messages</a> · <a href="/api/messages/${encodeURIComponent(message.id)}">JSON</a></p>
<h1>${escapeHtml(message.subject || '(no subject)')}</h1><dl>${list.join('')}</dl>
<h2>HTML</h2>${html}<h2>Text</h2><pre>${escapeHtml(message.text)}</pre>`,
  )
}

const send = (response: ServerResponse, status: number, type: string, body: string) => {
  response.writeHead(status, {
    'content-type': `${type}; charset=utf-8`,
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  })
  response.end(body)
}
const json = (response: ServerResponse, status: number, value: unknown) =>
  send(response, status, 'application/json', JSON.stringify(value))

/**
 * A tiny web page over a sink (mailpit-style, for the local stack): `/` lists the e-mails newest
 * first, `/messages/:id` shows one (its HTML in a sandboxed frame, and its text), `GET
 * /api/messages` and `/api/messages/:id` give the same as JSON, `DELETE /api/messages` empties it.
 */
export async function startMailViewer(sink: SmtpSink, options: MailViewerOptions = {}): Promise<MailViewer> {
  const host = options.host ?? '127.0.0.1'
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://viewer').pathname
    const method = request.method ?? 'GET'
    const newestFirst = () => sink.messages().reverse()
    const one = /^\/(api\/)?messages\/([^/]+)$/.exec(path)

    if (method === 'GET' && path === '/') return send(response, 200, 'text/html', listPage(newestFirst()))
    if (method === 'GET' && path === '/api/messages') {
      const messages = newestFirst()
      return json(response, 200, { total: messages.length, messages })
    }
    if (method === 'DELETE' && path === '/api/messages') {
      sink.clear()
      response.writeHead(204).end()
      return
    }
    if (method === 'GET' && one) {
      const message = sink.message(decodeURIComponent(one[2] ?? ''))
      if (one[1])
        return message ? json(response, 200, message) : json(response, 404, { error: 'no such message' })
      return message
        ? send(response, 200, 'text/html', messagePage(message))
        : send(
            response,
            404,
            'text/html',
            page('not found', '<p>No such message. <a href="/">All messages</a></p>'),
          )
    }
    return json(response, 404, { error: `no route ${method} ${path}` })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port

  let closing: Promise<void> | undefined
  return {
    port,
    url: `http://${host}:${port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      return closing
    },
  }
}
