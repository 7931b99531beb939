import { mkdirSync } from 'node:fs'
import { createServer } from 'node:net'
import { PGlite } from '@electric-sql/pglite'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'
import { StackError } from './stack-error'

export interface EmbeddedPostgres {
  url: string
  stop: () => Promise<void>
}

function assertPortFree(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', () =>
      reject(
        new StackError(
          `${host}:${port} is in use (another local stack?): set LOCAL_POSTGRES_PORT or DATABASE_URL`,
        ),
      ),
    )
    probe.listen(port, host, () => probe.close(() => resolve()))
  })
}

/**
 * PostgreSQL without installing it: PGlite (Postgres compiled to WASM, in this process) with its
 * data in dataDir, served on a TCP port so the apps connect with an ordinary DATABASE_URL.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string
  host: string
  port: number
}): Promise<EmbeddedPostgres> {
  const { dataDir, host, port } = options
  // Checked before opening the data directory: two processes must never open the same PGlite files.
  await assertPortFree(host, port)
  mkdirSync(dataDir, { recursive: true })
  const db = await PGlite.create(dataDir)
  // PGlite runs one statement at a time; with maxConnections > 1 the server queues the statements of
  // every client connection onto it (a client's open transaction keeps it to itself), so pg pools work.
  const server = new PGLiteSocketServer({ db, host, port, maxConnections: 64 })
  try {
    await server.start()
  } catch (error) {
    await db.close()
    throw error
  }
  return {
    url: `postgres://postgres:postgres@${host}:${port}/postgres`,
    stop: async () => {
      await server.stop()
      await db.close()
    },
  }
}
