import {
  AbandonedCartEmail,
  abandonedCartJobId,
  EmailJob,
  isValidId,
  OpsAlertEmail,
  OrderConfirmedEmail,
  orderConfirmedJobId,
} from '@bookstore/events'
import { Check, Errors } from 'typebox/value'
import type { RenderedEmail } from '../templates'

/** The kinds there are, as metric labels: anything else is counted as `invalid`. */
export const emailKinds = ['abandoned-cart', 'ops-alert', 'order-confirmed'] as const
export type EmailKindLabel = (typeof emailKinds)[number] | 'invalid'

export const kindLabelOf = (data: unknown): EmailKindLabel => {
  const kind = (data as { kind?: unknown } | null)?.kind
  return emailKinds.find((known) => known === kind) ?? 'invalid'
}

const schemaOf = {
  'abandoned-cart': AbandonedCartEmail,
  'ops-alert': OpsAlertEmail,
  'order-confirmed': OrderConfirmedEmail,
} as const

/**
 * Why a payload is not an e-mail job, in a few words for the DLQ's failedReason (undefined when it
 * is one). The job name must be its kind: a producer that confuses the two has a bug worth seeing.
 */
export function payloadProblem(name: string, data: unknown): string | undefined {
  const kind = kindLabelOf(data)
  if (kind === 'invalid') return `invalid ${name} payload: kind must be one of ${emailKinds.join(', ')}`
  if (!Check(EmailJob, data)) {
    const issues = Errors(schemaOf[kind], data)
      .slice(0, 3)
      .map((issue) => `${issue.instancePath || '/'} ${issue.message}`)
    return `invalid ${kind} payload: ${issues.join('; ')}`
  }
  if (name !== kind) return `job name ${name} does not match its kind ${kind}`
  return undefined
}

/** The user a payload is about, valid payload or not (for the DLQ entry and its log line). */
export function userIdsOf(data: unknown): string[] {
  const userId = (data as { userId?: unknown } | null)?.userId
  return typeof userId === 'string' && isValidId(userId) ? [userId] : []
}

/** `"Bookstore" <no-reply@bookstore.local>` -> `bookstore.local`. */
export const domainOf = (address: string) => /@([^\s@>]+)>?\s*$/.exec(address)?.[1] ?? 'bookstore.local'

const messageIdPart = (value: string) => value.replace(/[^A-Za-z0-9._-]/g, '_')

/**
 * The Message-ID: one per e-mail, not per job run. A reminder is named by its abandonment (the
 * same id as its scheduler job, `abandonedCartJobId`), so a send repeated after a crash, and even
 * an admin replay (a new job id), carries the same Message-ID and a mail client can fold the two.
 * A confirmation is named by its order. Other e-mails are named by their job.
 */
export function messageIdOf(job: EmailJob, jobId: string, domain: string): string {
  const key =
    job.kind === 'abandoned-cart'
      ? abandonedCartJobId(job)
      : job.kind === 'order-confirmed'
        ? orderConfirmedJobId(job.orderId)
        : `job-${jobId}`
  return `<${messageIdPart(key)}@${domain}>`
}

export interface OutgoingEmail extends RenderedEmail {
  from: string
  to: string
  messageId: string
  headers: Record<string, string>
}

/** Everything nodemailer is given for one job. */
export function outgoingEmail(
  job: EmailJob,
  rendered: RenderedEmail,
  jobId: string,
  from: string,
): OutgoingEmail {
  return {
    ...rendered,
    from,
    to: job.to,
    messageId: messageIdOf(job, jobId, domainOf(from)),
    // Which job sent it: a duplicate after a crash is recognisable in the inbox and the logs.
    headers: {
      'X-Bookstore-Job': jobId,
      'X-Bookstore-Email': job.kind,
      ...(job.kind === 'ops-alert' ? { 'X-Bookstore-Alert': job.alert } : {}),
    },
  }
}
