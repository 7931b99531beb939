import type { AddressInfo } from 'node:net'
import { type AddressObject, type ParsedMail, simpleParser } from 'mailparser'
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server'

/** One received e-mail, parsed; every field is plain JSON (the viewer's API sends it as is). */
export interface SinkMessage {
  /** Arrival number in this sink, from 1: stable for its lifetime, never reused. */
  id: string
  /** When the sink received it (ISO 8601). */
  receivedAt: string
  /** What the client said in MAIL FROM / RCPT TO (Bcc recipients appear only here). */
  envelope: { from: string; to: string[] }
  /** The From header as text, e.g. `"Bookstore" <no-reply@bookstore.local>`. */
  from: string
  /** The addresses of the To header. */
  to: string[]
  subject: string
  text: string
  /** The HTML part, or null for a text-only message. */
  html: string | null
  /** The Date header (ISO 8601), or null when it had none. */
  date: string | null
  messageId: string | null
  /** Headers whose value is plain text (lowercase names): custom ones such as `x-bookstore-job`. */
  headers: Record<string, string>
  /** Size of the raw message in bytes. */
  size: number
}

export interface SmtpSinkOptions {
  /** 0 (the default) picks a free port: read it from `sink.port`. */
  port?: number
  host?: string
  /** How many messages are kept; the oldest are dropped past it. */
  maxMessages?: number
  /** Larger messages are refused (552), so a runaway sender cannot fill memory. */
  maxMessageBytes?: number
  /** Called for every message received (e.g. to log it). */
  onMessage?: (message: SinkMessage) => void
  /**
   * Recipients to refuse with a permanent error (550, as a server does for an unknown mailbox),
   * so that tests can see how a sender handles a rejection that no retry will change.
   */
  refuseRecipient?: (address: string) => boolean
}

export interface WaitOptions {
  timeoutMs?: number
  /** Count only the messages that match (e.g. one recipient's). */
  where?: (message: SinkMessage) => boolean
}

export interface SmtpSink {
  readonly host: string
  readonly port: number
  /** `smtp://host:port`, what a sender's SMTP_URL should say. */
  readonly url: string
  /** The messages kept, oldest first. */
  messages(): SinkMessage[]
  message(id: string): SinkMessage | undefined
  /** Resolves with the matching messages (oldest first) once there are at least `count`. */
  waitForMessages(count: number, options?: WaitOptions): Promise<SinkMessage[]>
  clear(): void
  /** Stops listening and drops open connections; safe to call more than once. */
  close(): Promise<void>
}

const addressesOf = (header: AddressObject | AddressObject[] | undefined): string[] =>
  [header ?? []]
    .flat()
    .flatMap((object) => object.value)
    .flatMap((entry) => (entry.group ?? [entry]).map((member) => member.address ?? ''))
    .filter((address) => address !== '')

const textHeaders = (parsed: ParsedMail): Record<string, string> => {
  const headers: Record<string, string> = {}
  for (const [name, value] of parsed.headers) if (typeof value === 'string') headers[name] = value
  return headers
}

/** What the SMTP session says of a message, whatever its content. */
function envelopeFields(id: number, session: SMTPServerSession, size: number) {
  const mailFrom = session.envelope.mailFrom
  return {
    id: String(id),
    receivedAt: new Date().toISOString(),
    envelope: {
      from: mailFrom ? mailFrom.address : '',
      to: session.envelope.rcptTo.map((recipient) => recipient.address),
    },
    size,
  }
}

const parsedFields = (parsed: ParsedMail) => ({
  from: parsed.from?.text ?? '',
  to: addressesOf(parsed.to),
  subject: parsed.subject ?? '',
  text: parsed.text ?? '',
  html: typeof parsed.html === 'string' ? parsed.html : null,
  date: parsed.date ? parsed.date.toISOString() : null,
  messageId: parsed.messageId ?? null,
  headers: textHeaders(parsed),
})

/**
 * A real SMTP server that accepts every message (no TLS, no auth, any sender and recipient), parses
 * it and keeps the newest `maxMessages` in memory: for tests of code that sends e-mail, and for the
 * local stack (see main.ts and the viewer). It delivers nothing anywhere.
 */
export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const host = options.host ?? '127.0.0.1'
  const maxMessages = options.maxMessages ?? 500
  const maxMessageBytes = options.maxMessageBytes ?? 10 * 1024 * 1024
  const kept: SinkMessage[] = []
  const waiters = new Set<() => void>()
  let nextId = 1

  const store = (message: SinkMessage) => {
    kept.push(message)
    if (kept.length > maxMessages) kept.splice(0, kept.length - maxMessages)
    options.onMessage?.(message)
    for (const wake of [...waiters]) wake()
  }

  const server = new SMTPServer({
    name: 'smtp-sink',
    // Plain text only: no certificate to present, nothing to log in to.
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    size: maxMessageBytes,
    disableReverseLookup: true,
    logger: false,
    // A closing sink does not wait long for idle pooled connections of its senders.
    closeTimeout: 500,
    onRcptTo(address, _session, callback) {
      if (options.refuseRecipient?.(address.address))
        callback(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }))
      else callback()
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback) {
      simpleParser(stream, { skipTextToHtml: true }).then(
        (parsed) => {
          if (stream.sizeExceeded) {
            callback(Object.assign(new Error('Message too large'), { responseCode: 552 }))
            return
          }
          store({ ...envelopeFields(nextId++, session, stream.byteLength), ...parsedFields(parsed) })
          callback()
        },
        (error: unknown) => {
          // Accepted all the same (a sink keeps what it is given), with the reason instead of a body.
          const reason = error instanceof Error ? error.message : String(error)
          store({
            ...envelopeFields(nextId++, session, stream.byteLength),
            from: '',
            to: [],
            subject: `(unparseable: ${reason})`,
            text: '',
            html: null,
            date: null,
            messageId: null,
            headers: {},
          })
          callback()
        },
      )
    },
  })
  // A client that drops its connection is reported here; it must not take the process down.
  server.on('error', () => {})

  await new Promise<void>((resolve, reject) => {
    const failed = (error: Error) => reject(error)
    server.server.once('error', failed)
    server.listen(options.port ?? 0, host, () => {
      server.server.off('error', failed)
      resolve()
    })
  })
  const port = (server.server.address() as AddressInfo).port

  let closing: Promise<void> | undefined
  const close = () => {
    if (!closing) {
      closing = new Promise<void>((resolve) => server.close(() => resolve()))
      // Waiters see `closing` set and give up now rather than at their timeout.
      for (const wake of [...waiters]) wake()
    }
    return closing
  }

  const matching = (where?: (message: SinkMessage) => boolean) => (where ? kept.filter(where) : [...kept])

  return {
    host,
    port,
    url: `smtp://${host}:${port}`,
    messages: () => [...kept],
    message: (id) => kept.find((message) => message.id === id),
    clear: () => {
      kept.length = 0
    },
    close,
    waitForMessages(count, waitOptions = {}) {
      const timeoutMs = waitOptions.timeoutMs ?? 10_000
      if (count > maxMessages)
        return Promise.reject(new Error(`this sink keeps at most ${maxMessages} messages, not ${count}`))
      return new Promise<SinkMessage[]>((resolve, reject) => {
        const check = () => {
          const found = matching(waitOptions.where)
          if (found.length >= count) {
            finish()
            resolve(found)
          } else if (closing) {
            finish()
            reject(new Error(`the sink closed with ${found.length} of ${count} messages`))
          }
        }
        const timer = setTimeout(() => {
          finish()
          const subjects = kept.map((message) => JSON.stringify(message.subject)).join(', ')
          reject(
            new Error(
              `timed out after ${timeoutMs} ms waiting for ${count} messages; the sink holds ${kept.length}: ${subjects || 'none'}`,
            ),
          )
        }, timeoutMs)
        const finish = () => {
          clearTimeout(timer)
          waiters.delete(check)
        }
        waiters.add(check)
        check()
      })
    },
  }
}
