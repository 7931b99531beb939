import { type DeadLetterJob, DeadLetterList } from '@bookstore/events'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Queue } from 'bullmq'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import { discardDeadLetter, listDeadLetters, replayDeadLetter } from './dead-letter'
import { kitError } from './domain-error'
import { errorResponses } from './error-schema'

const ListQuery = Type.Object({
  offset: Type.Integer({ minimum: 0, default: 0 }),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
})
const JobParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,200}$' }) })

const schema = <T extends object>(summary: string, extra: T) => ({
  schema: { summary, tags: ['dead-letter queue'], security: [{ bearerAuth: [] }], ...extra },
})

const missing = (id: string) => kitError('DEAD_LETTER_NOT_FOUND', 'No parked job has this id', { id })

export interface DeadLetterRoutesOptions {
  /** The parking lot these routes show. */
  dlq: Queue<DeadLetterJob>
  /** The queue a replayed job goes back to (its default job options are the retry policy). */
  target: Queue
  /** Which jobs park here, for the OpenAPI summaries: "persistence", "e-mail". */
  jobs: string
}

/**
 * The dead-letter queue for admins (SPEC P4, S3): look at parked jobs, replay or discard each.
 * Register it without fastify-plugin wrapping (as is): the admin check then covers these routes only.
 */
export async function deadLetterRoutes(app: FastifyInstance, options: DeadLetterRoutesOptions) {
  const routes = app.withTypeProvider<TypeBoxTypeProvider>()
  routes.addHook('preHandler', app.requireAdmin)
  const { dlq, target, jobs } = options

  routes.get(
    '/admin/dead-letters',
    schema(`List parked ${jobs} jobs, oldest first`, {
      querystring: ListQuery,
      response: { 200: DeadLetterList, ...errorResponses(400, 401, 403, 503) },
    }),
    (request) => listDeadLetters(dlq, request.query.offset, request.query.limit),
  )

  routes.post(
    '/admin/dead-letters/:id/replay',
    schema(`Put a parked ${jobs} job back on its queue (and out of the DLQ)`, {
      params: JobParams,
      response: {
        200: Type.Object({ replayedAs: Type.String() }),
        ...errorResponses(400, 401, 403, 404, 503),
      },
    }),
    async (request) => {
      const replayed = await replayDeadLetter(dlq, target, request.params.id)
      if (!replayed) throw missing(request.params.id)
      return replayed
    },
  )

  routes.delete(
    '/admin/dead-letters/:id',
    schema(`Discard a parked ${jobs} job for good`, {
      params: JobParams,
      response: {
        200: Type.Object({ discarded: Type.Literal(true) }),
        ...errorResponses(400, 401, 403, 404, 503),
      },
    }),
    async (request) => {
      if (!(await discardDeadLetter(dlq, target, request.params.id))) throw missing(request.params.id)
      return { discarded: true as const }
    },
  )
}
