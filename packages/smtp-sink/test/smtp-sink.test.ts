import { createConnection } from 'node:net'
import { createTransport } from 'nodemailer'
import { afterEach, describe, expect, it } from 'vitest'
import { type SmtpSink, startMailViewer, startSmtpSink } from '../src'

const sinks: SmtpSink[] = []
const start = async (options: Parameters<typeof startSmtpSink>[0] = {}) => {
  const sink = await startSmtpSink(options)
  sinks.push(sink)
  return sink
}
afterEach(async () => {
  await Promise.all(sinks.splice(0).map((sink) => sink.close()))
})

const send = (sink: SmtpSink, message: Parameters<ReturnType<typeof createTransport>['sendMail']>[0]) =>
  createTransport(sink.url).sendMail({ from: '"Bookstore" <no-reply@bookstore.local>', ...message })

describe('smtp-sink', () => {
  it('receives, parses and keeps every message', async () => {
    const sink = await start()
    expect(sink.port).toBeGreaterThan(0)
    const waiting = sink.waitForMessages(2, { timeoutMs: 5000 })
    await send(sink, {
      to: 'alice@example.com',
      bcc: 'audit@example.com',
      subject: 'Your cart is waiting',
      text: 'Plain words',
      html: '<p>Rich <b>words</b></p>',
      headers: { 'X-Bookstore-Job': 'job-1' },
      messageId: '<job-1@bookstore.local>',
    })
    await send(sink, { to: 'bob@example.com', subject: 'Second', text: 'only text' })
    const [first, second] = await waiting
    expect(first).toMatchObject({
      id: '1',
      from: '"Bookstore" <no-reply@bookstore.local>',
      to: ['alice@example.com'],
      envelope: { from: 'no-reply@bookstore.local', to: ['alice@example.com', 'audit@example.com'] },
      subject: 'Your cart is waiting',
      html: '<p>Rich <b>words</b></p>',
      messageId: '<job-1@bookstore.local>',
      headers: { 'x-bookstore-job': 'job-1' },
    })
    expect(first?.text.trim()).toBe('Plain words')
    expect(Date.parse(first?.date ?? '')).not.toBeNaN()
    expect(second).toMatchObject({ id: '2', to: ['bob@example.com'], html: null })
    expect(sink.messages().map((message) => message.subject)).toEqual(['Your cart is waiting', 'Second'])
    expect(
      await sink.waitForMessages(1, { where: (message) => message.to.includes('bob@example.com') }),
    ).toHaveLength(1)
  })

  it('keeps only the newest messages, times out naming what it has, and closes once', async () => {
    const sink = await start({ maxMessages: 2 })
    for (const subject of ['one', 'two', 'three'])
      await send(sink, { to: 'a@example.com', subject, text: subject })
    expect(sink.messages().map((message) => message.subject)).toEqual(['two', 'three'])
    expect(sink.message('1')).toBeUndefined()
    expect(sink.message('3')?.subject).toBe('three')
    await expect(sink.waitForMessages(3)).rejects.toThrow(/at most 2/)
    await expect(
      sink.waitForMessages(1, { timeoutMs: 50, where: (message) => message.subject === 'four' }),
    ).rejects.toThrow(/timed out after 50 ms.*"two", "three"/)
    sink.clear()
    expect(sink.messages()).toEqual([])

    const pending = sink.waitForMessages(1, { timeoutMs: 5000 })
    await Promise.all([sink.close(), sink.close()])
    await expect(pending).rejects.toThrow(/closed with 0 of 1/)
    // Nothing listens any more.
    await expect(
      new Promise((resolve, reject) =>
        createConnection(sink.port, '127.0.0.1').once('connect', resolve).once('error', reject),
      ),
    ).rejects.toThrow(/ECONNREFUSED/)
  })

  it('refuses the recipients it is told to with 550, and keeps nothing for them', async () => {
    const sink = await start({ refuseRecipient: (address) => address.startsWith('unknown-') })
    await expect(
      send(sink, { to: 'unknown-carol@example.com', subject: 'Lost', text: 'x' }),
    ).rejects.toMatchObject({
      responseCode: 550,
    })
    await send(sink, { to: 'dave@example.com', subject: 'Kept', text: 'x' })
    expect(sink.messages().map((message) => message.subject)).toEqual(['Kept'])
  })

  it('refuses a port in use', async () => {
    const sink = await start()
    await expect(startSmtpSink({ port: sink.port })).rejects.toThrow(/EADDRINUSE/)
  })

  it('shows the messages on the viewer: newest first, HTML sandboxed, JSON API', async () => {
    const sink = await start()
    const viewer = await startMailViewer(sink)
    try {
      await send(sink, { to: 'a@example.com', subject: 'older', text: 'older text' })
      await send(sink, {
        to: 'b@example.com',
        subject: 'Tom & <Jerry>',
        text: 'newer text',
        html: '<p onclick="x()">Hi</p><script>alert(1)</script>',
      })

      const list = await fetch(`${viewer.url}/`)
      expect(list.status).toBe(200)
      const listHtml = await list.text()
      expect(listHtml).toContain('Tom &amp; &lt;Jerry&gt;')
      expect(listHtml.indexOf('Tom &amp;')).toBeLessThan(listHtml.indexOf('older'))

      const api = (await (await fetch(`${viewer.url}/api/messages`)).json()) as {
        total: number
        messages: { id: string; subject: string }[]
      }
      expect(api.total).toBe(2)
      expect(api.messages.map((message) => message.subject)).toEqual(['Tom & <Jerry>', 'older'])

      const shown = await fetch(`${viewer.url}/messages/2`)
      expect(shown.headers.get('content-security-policy')).toContain("default-src 'none'")
      const page = await shown.text()
      expect(page).toMatch(/<iframe title="HTML part" sandbox="allow-popups allow-popups-to-escape-sandbox"/)
      // The e-mail's HTML lives only inside the srcdoc attribute, escaped: no live script on the page.
      expect(page).not.toContain('<script>')
      expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
      expect(page).toContain('<pre>newer text')

      expect((await fetch(`${viewer.url}/api/messages/1`)).status).toBe(200)
      expect((await fetch(`${viewer.url}/api/messages/99`)).status).toBe(404)
      expect((await fetch(`${viewer.url}/messages/99`)).status).toBe(404)
      expect((await fetch(`${viewer.url}/api/messages`, { method: 'DELETE' })).status).toBe(204)
      expect(sink.messages()).toEqual([])
    } finally {
      await viewer.close()
      await viewer.close()
    }
  })
})
