import type { DeadLetterView } from '@bookstore/events'
import { useState } from 'react'
import { adminApi, type DeadLetterQueue } from '../../admin/admin-api'
import { adminRefusal } from '../../admin/admin-refusals'
import { useAdminCall, useAdminRead } from '../../admin/use-admin-call'
import { useDocumentTitle } from '../../components/route-focus'
import { Empty, LoadError, Loading } from '../../components/status-message'
import { formatWhen } from '../../orders/order-status'

const queues: Array<{ queue: DeadLetterQueue; title: string; what: string }> = [
  {
    queue: 'persistence',
    title: 'Persistence',
    what: 'Cart changes that could not be written to PostgreSQL (a full-cart sync was started for their users).',
  },
  {
    queue: 'email',
    title: 'E-mail',
    what: 'E-mails that could not be sent (refused or failed every attempt).',
  },
]

function DeadLetter(props: {
  queue: DeadLetterQueue
  job: DeadLetterView
  onDone: (message: string) => void
  onError: (message: string) => void
}) {
  const { job, queue } = props
  const call = useAdminCall()
  const [busy, setBusy] = useState(false)
  const [confirming, setConfirming] = useState(false)
  const act = async (what: 'replay' | 'discard') => {
    setBusy(true)
    try {
      if (what === 'replay') {
        const { replayedAs } = await call((token) => adminApi.replay(token, queue, job.id))
        props.onDone(`Replayed “${job.name}” (job ${replayedAs} on ${job.queue}).`)
      } else {
        await call((token) => adminApi.discard(token, queue, job.id))
        props.onDone(`Discarded “${job.name}”.`)
      }
    } catch (failure) {
      props.onError(adminRefusal(failure))
      setBusy(false)
      setConfirming(false)
    }
  }
  return (
    <li className="dead-letter" data-testid={`dead-letter-${job.id}`}>
      <p>
        <strong>{job.name}</strong> from <code>{job.queue}</code>, parked {formatWhen(job.deadLetteredAt)}{' '}
        after {job.attemptsMade === 1 ? '1 attempt' : `${job.attemptsMade} attempts`}
      </p>
      <p className="dead-letter-reason">{job.failedReason}</p>
      {job.userIds.length > 0 && <p>Users: {job.userIds.join(', ')}</p>}
      <details>
        <summary>Job data</summary>
        <pre>{JSON.stringify(job.data, null, 2)}</pre>
      </details>
      {confirming ? (
        <fieldset className="confirm">
          <legend>Discard this job for good?</legend>
          <button
            type="button"
            className="button button-danger"
            disabled={busy}
            onClick={() => void act('discard')}
          >
            Yes, discard it
          </button>
          <button type="button" className="button" disabled={busy} onClick={() => setConfirming(false)}>
            Keep it
          </button>
        </fieldset>
      ) : (
        <p className="admin-actions">
          <button
            type="button"
            className="button button-primary"
            disabled={busy}
            aria-label={`Replay “${job.name}” ${job.id}`}
            onClick={() => void act('replay')}
          >
            Replay
          </button>
          <button
            type="button"
            className="button"
            disabled={busy}
            aria-label={`Discard “${job.name}” ${job.id}`}
            onClick={() => setConfirming(true)}
          >
            Discard
          </button>
        </p>
      )}
    </li>
  )
}

function QueueSection(props: { queue: DeadLetterQueue; title: string; what: string }) {
  const [reads, setReads] = useState(0)
  const [said, setSaid] = useState<{ message?: string; error?: string }>({})
  const list = useAdminRead(
    (token, signal) => adminApi.deadLetters(token, props.queue, signal),
    [props.queue, reads],
  )
  const headingId = `dead-letters-${props.queue}`
  const after = (next: { message?: string; error?: string }) => {
    setSaid(next)
    setReads((n) => n + 1)
  }
  return (
    <section
      aria-labelledby={headingId}
      className="dead-letter-queue"
      data-testid={`dead-letters-${props.queue}`}
    >
      <h2 id={headingId}>
        {props.title} {list.data && <span className="count">({list.data.total})</span>}
      </h2>
      <p>{props.what}</p>
      <button type="button" className="button" onClick={() => setReads((n) => n + 1)}>
        Refresh
      </button>
      <p className="admin-said" role="status">
        {said.message}
      </p>
      {said.error && (
        <p className="form-error" role="alert">
          {said.error}
        </p>
      )}
      {list.status === 'error' && (
        <LoadError what="the parked jobs" error={list.error} onRetry={list.retry} />
      )}
      {!list.data && list.status === 'loading' && <Loading label="Loading parked jobs…" />}
      {list.data && list.data.jobs.length === 0 && (
        <Empty>
          <p>Nothing parked.</p>
        </Empty>
      )}
      {list.data && list.data.jobs.length > 0 && (
        <ul className="dead-letters">
          {list.data.jobs.map((job) => (
            <DeadLetter
              key={job.id}
              queue={props.queue}
              job={job}
              onDone={(message) => after({ message })}
              onError={(error) => after({ error })}
            />
          ))}
        </ul>
      )}
    </section>
  )
}

/** The two workers' dead-letter queues (SPEC P4, S3): what failed for good, replayed or discarded. */
export function AdminDeadLettersPage() {
  useDocumentTitle('Dead letters · Administration')
  return (
    <>
      <h1>Dead letters</h1>
      {queues.map((entry) => (
        <QueueSection key={entry.queue} {...entry} />
      ))}
    </>
  )
}
