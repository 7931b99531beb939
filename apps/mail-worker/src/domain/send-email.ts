import type { EmailJob } from '@bookstore/events'
import { type RenderedEmail, renderEmail, UnrenderableEmailError } from '../templates'
import { outgoingEmail, payloadProblem } from './email-message'
import { isPermanentRejection, type Mailer } from './mailer'

/** An e-mail that no retry will get out (not an e-mail job, unrenderable, refused by SMTP): parked at once. */
export class UndeliverableEmailError extends Error {
  override name = 'UndeliverableEmailError'
}

export interface SendEmailDeps {
  mailer: Mailer
  /** The From of every e-mail. */
  from: string
  log: { info(details: object, message: string): void }
  /** The SMTP handover of one try: how it ended and how long it took. */
  observeSend?: (kind: EmailJob['kind'], result: 'sent' | 'failed', seconds: number) => void
  /** Milliseconds, for the handover's duration (default: performance.now). */
  clock?: () => number
}

/** One e-mail job as the worker got it: the data is whatever a producer put there. */
export interface EmailJobRun {
  id: string
  name: string
  data: unknown
  /** 1 for the first try. */
  attempt: number
}

const rendered = (email: EmailJob): RenderedEmail => {
  try {
    return renderEmail(email)
  } catch (error) {
    if (error instanceof UnrenderableEmailError)
      throw new UndeliverableEmailError(`cannot render ${email.kind}: ${error.message}`)
    throw error
  }
}

/**
 * Sends one job of `{email}` (SPEC S1, S3): validates it, renders its template and hands the
 * e-mail to SMTP. A failed handover throws, to be retried, unless the server refused it for good
 * (5xx): that, an invalid payload and an unrenderable one throw UndeliverableEmailError.
 */
export async function sendEmailJob(deps: SendEmailDeps, job: EmailJobRun): Promise<void> {
  const problem = payloadProblem(job.name, job.data)
  if (problem) throw new UndeliverableEmailError(problem)
  const email = job.data as EmailJob
  const outgoing = outgoingEmail(email, rendered(email), job.id, deps.from)
  const clock = deps.clock ?? (() => performance.now())
  const startedAt = clock()
  const seconds = () => (clock() - startedAt) / 1000
  try {
    const info = await deps.mailer.send(outgoing)
    deps.observeSend?.(email.kind, 'sent', seconds())
    deps.log.info(
      { jobId: job.id, kind: email.kind, messageId: info.messageId, attempt: job.attempt },
      'e-mail sent',
    )
  } catch (error) {
    deps.observeSend?.(email.kind, 'failed', seconds())
    if (isPermanentRejection(error))
      throw new UndeliverableEmailError(`the SMTP server refused it: ${error.message}`)
    throw error
  }
}
