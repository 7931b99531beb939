import { errorResponses } from '@bookstore/service-kit'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import { schedulerError } from '../error-statuses'
import { isScheduleName, scheduleNames } from '../schedules'

const Run = Type.Object({
  jobId: Type.String(),
  state: Type.String({ description: 'completed, failed or active (as the job was read)' }),
  startedAt: Type.Union([Type.Integer(), Type.Null()]),
  finishedAt: Type.Union([Type.Integer(), Type.Null()]),
  result: Type.Unknown({ description: 'What the run did (its figures), when it completed' }),
  failedReason: Type.Union([Type.String(), Type.Null()]),
})
const Schedule = Type.Object({
  name: Type.String(),
  everyMs: Type.Integer(),
  nextRunAt: Type.Union([Type.Integer(), Type.Null()]),
  recentRuns: Type.Array(Run, { description: 'Newest first' }),
})
const NameParams = Type.Object({ name: Type.String({ pattern: '^[a-z-]{1,64}$' }) })

const schema = <T extends object>(summary: string, extra: T) => ({
  schema: { summary, tags: ['schedules'], security: [{ bearerAuth: [] }], ...extra },
})

/** For admins and operators: what is scheduled, what the last runs did, and "run it now". */
export async function scheduleRoutes(app: FastifyInstance) {
  const routes = app.withTypeProvider<TypeBoxTypeProvider>()
  routes.addHook('preHandler', app.requireAdmin)
  const { queues, periods } = app.schedules

  const scheduleOf = (name: string) => {
    if (!isScheduleName(name))
      throw schedulerError('SCHEDULE_NOT_FOUND', 'No schedule has this name', {
        name,
        known: [...scheduleNames],
      })
    return name
  }

  routes.get(
    '/admin/schedules',
    schema('The schedules, their next run and their recent runs', {
      response: { 200: Type.Object({ schedules: Type.Array(Schedule) }), ...errorResponses(401, 403, 503) },
    }),
    async () => ({
      schedules: await Promise.all(
        scheduleNames.map(async (name) => {
          const queue = queues[name]
          const [scheduler, jobs] = await Promise.all([
            queue.getJobScheduler(name),
            queue.getJobs(['active', 'completed', 'failed'], 0, 9, false),
          ])
          const runs = jobs.map((job) => ({
            jobId: String(job.id),
            // The job as read says what it was: one read unfinished was active then. Asking for its
            // state again could find it completed since, and list a completed run without its result.
            state: job.finishedOn ? (job.failedReason ? 'failed' : 'completed') : 'active',
            startedAt: job.processedOn ?? null,
            finishedAt: job.finishedOn ?? null,
            result: job.returnvalue ?? null,
            failedReason: job.failedReason || null,
          }))
          return {
            name,
            everyMs: periods[name],
            nextRunAt: scheduler?.next ?? null,
            recentRuns: runs.sort((a, b) => (b.startedAt ?? 0) - (a.startedAt ?? 0)),
          }
        }),
      ),
    }),
  )

  routes.post(
    '/admin/schedules/:name/run',
    schema('Run a schedule now (once, besides its period); the run waits if one is going on', {
      params: NameParams,
      response: {
        202: Type.Object({ jobId: Type.String() }),
        ...errorResponses(400, 401, 403, 404, 503),
      },
    }),
    async (request, reply) => {
      const name = scheduleOf(request.params.name)
      const job = await queues[name].add(name, {}, { jobId: `manual-${name}-${Date.now()}` })
      return reply.code(202).send({ jobId: String(job.id) })
    },
  )
}
