/**
 * The local stack's embedded PostgreSQL (PGlite) on its own, in a process of its own: for a
 * benchmark that measures the apps against it as `./dev start` runs them.
 *   tsx --conditions=source infra/local-stack/embedded-postgres-server.ts <data dir> <port>
 * Prints one line `{"url": ...}` once it accepts connections; SIGTERM or SIGINT stops it.
 */
import { startEmbeddedPostgres } from './embedded-postgres'

const [dataDir, port] = process.argv.slice(2)
if (!dataDir || !port || !Number.isInteger(Number(port))) {
  console.error('usage: embedded-postgres-server.ts <data dir> <port>')
  process.exit(2)
}
const server = await startEmbeddedPostgres({ dataDir, host: '127.0.0.1', port: Number(port) })
console.log(JSON.stringify({ url: server.url }))
for (const signal of ['SIGTERM', 'SIGINT'] as const)
  process.once(signal, () => {
    void server.stop().finally(() => process.exit(0))
  })
