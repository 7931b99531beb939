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

/** Frontend messages of the extended query protocol that a Sync (or a simple Query) completes. */
const exchangeMessages = new Set(['P', 'B', 'D', 'E', 'C', 'H'].map((type) => type.charCodeAt(0)))
const exchangeEnds = new Set(['S', 'Q'].map((type) => type.charCodeAt(0)))

/**
 * PGlite as the socket server must see it to keep each client's extended-protocol exchange whole.
 * The server hands PGlite one protocol message at a time from whichever connection sent it, and
 * keeps to one connection only inside a transaction (isInTransaction). A driver that sends Parse
 * and Describe, waits for the answer, then sends Bind and Execute (postgres.js does so for every
 * new statement), or whose Bind and Execute arrive apart, would have another connection's
 * statement replace its unnamed one in between ("bind message supplies 2 parameters, but prepared
 * statement "" requires 1"; node-postgres met it too under concurrent load). So an unfinished
 * exchange counts as a transaction: the server serves that connection until its Sync. The
 * server's ROLLBACK of a client that left mid-exchange ends the exchange too.
 */
function keepingExchangesWhole(db: PGlite): PGlite {
  let inExchange = false
  return new Proxy(db, {
    get(target, property) {
      if (property === 'isInTransaction') return () => inExchange || target.isInTransaction()
      if (property === 'execProtocolRawStream')
        return (message: Uint8Array, options: Parameters<PGlite['execProtocolRawStream']>[1]) => {
          const type = message[0] ?? 0
          if (exchangeMessages.has(type)) inExchange = true
          else if (exchangeEnds.has(type)) inExchange = false
          return target.execProtocolRawStream(message, options)
        }
      if (property === 'exec')
        return (query: string) => {
          inExchange = false
          return target.exec(query)
        }
      const value: unknown = Reflect.get(target, property, target)
      return typeof value === 'function' ? value.bind(target) : value
    },
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
  // every client connection onto it (a client's open transaction, or unfinished exchange, keeps it
  // to itself), so connection pools work.
  const server = new PGLiteSocketServer({ db: keepingExchangesWhole(db), host, port, maxConnections: 64 })
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
