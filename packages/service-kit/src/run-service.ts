import closeWithGrace from 'close-with-grace'
import type { FastifyInstance } from 'fastify'

/**
 * Starts an app and closes it gracefully on SIGTERM/SIGINT: Fastify stops accepting, in-flight
 * requests finish and every onClose hook (queues, Redis) runs before the process exits (SPEC E4).
 */
export async function runService(app: FastifyInstance, listen: { host: string; port: number }) {
  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'shutting down after an error')
    else app.log.info({ signal }, 'shutting down')
    await app.close()
  })
  await app.listen(listen)
}
