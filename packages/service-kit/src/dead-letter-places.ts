import type { DeadLetterJob } from '@bookstore/events'
import type { Queue } from 'bullmq'

/** A worker's dead-letter queue and the queue its replays go back to: what `deadLetterRoutes` takes. */
export interface DeadLetterPlace {
  dlq: Queue<DeadLetterJob>
  target: Queue
}

/** The dead-letter queues of an app's workers, by worker name. */
export class DeadLetterPlaces {
  readonly #places = new Map<string, DeadLetterPlace>()

  add(worker: string, place: DeadLetterPlace): void {
    if (this.#places.has(worker)) throw new Error(`a queue worker named ${worker} is already registered`)
    this.#places.set(worker, place)
  }

  /** The place of one worker; asking for one that has none is a wiring mistake, found at boot. */
  of(worker: string): DeadLetterPlace {
    const place = this.#places.get(worker)
    if (!place) throw new Error(`no queue worker named ${worker} with a dead-letter queue is registered`)
    return place
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The dead-letter queues of this app's queue workers: `app.deadLetters.of('mail')`. */
    deadLetters: DeadLetterPlaces
  }
}
