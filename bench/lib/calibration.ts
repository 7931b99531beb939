/**
 * The machine's calibration, measured in the same run as the figures it calibrates: a bare Fastify
 * route and a bare Fastify route making cart-api's one add-item EVALSHA (bench/bare-server.ts, its
 * own process), each at max load with the load shape of bench:cart. Shared machines differ by up
 * to 5x from day to day, so a target that is a rate is read as a share of these (SPEC).
 *
 * `pnpm bench` measures it once and hands it to every benchmark in BENCH_CALIBRATION; a benchmark
 * run alone that needs it measures it itself. Environment: BENCH_CALIBRATION_DURATION (s per run,
 * default 5), BENCH_CALIBRATION_WARMUP (s, default 2).
 */
import { randomUUID } from 'node:crypto'
import type autocannon from 'autocannon'
import { Redis } from 'ioredis'
import { type Static, Type } from 'typebox'
import { Check } from 'typebox/value'
import { addItemLoadShape } from '../bench-settings'
import { intFromEnv, quick } from './env'
import { describeRun, type RunFigures, runLoad } from './load'
import { notOk } from './overload'
import { type Server, startServer } from './processes'
import { deleteKeys } from './redis-target'
import { figure, formatNumber, type Row } from './report'

/** What SPEC.md reports for bare parts on the machine its targets were set on. */
export const referenceMachine = { bareFastifyReqPerSec: 78_000, bareEvalshaReqPerSec: 37_000 } as const

export const CalibrationRun = Type.Object({
  reqPerSec: Type.Number(),
  p50Ms: Type.Number(),
  p99Ms: Type.Number(),
  requests: Type.Number(),
  /** Requests without a 2xx answer: a calibration with any is suspect. */
  notOk: Type.Number(),
})
export type CalibrationRun = Static<typeof CalibrationRun>

export const Calibration = Type.Object({
  bareFastify: CalibrationRun,
  bareEvalsha: CalibrationRun,
  connections: Type.Number(),
  durationSec: Type.Number(),
})
export type Calibration = Static<typeof Calibration>

/** The environment variable `pnpm bench` hands its calibration down in (JSON). */
export const calibrationEnv = 'BENCH_CALIBRATION'

export const bareRoutes = { hello: '/hello', addItem: '/add-item' } as const

export const startBareServer = (redisUrl: string): Promise<Server> =>
  startServer('bare', ['--conditions=source', '--import', 'tsx', 'bench/bare-server.ts'], {
    REDIS_URL: redisUrl,
  })

/** The add-item load's (user, book) pairs: each user adds from its own `booksPerCart` books. */
export function addItemPairs(
  userId: (index: number) => string,
  bookId: (index: number) => string,
  shape: { users: number; books: number; booksPerCart: number },
): Array<{ user: number; userId: string; bookId: string }> {
  return Array.from({ length: shape.users }, (_, user) =>
    Array.from({ length: shape.booksPerCart }, (_, slot) => ({
      user,
      userId: userId(user),
      bookId: bookId((user * shape.booksPerCart + slot) % shape.books),
    })),
  ).flat()
}

export const bareAddItemBody = (pair: { userId: string; bookId: string }) =>
  JSON.stringify({ userId: pair.userId, bookId: pair.bookId, quantity: 1 })

/** POST /add-item with a random one of `bodies` each time. */
export const bareAddItemRequests = (bodies: readonly string[]): autocannon.Request[] => [
  {
    setupRequest: (request: autocannon.Request): autocannon.Request => ({
      ...request,
      method: 'POST',
      path: bareRoutes.addItem,
      headers: { 'content-type': 'application/json' },
      body: bodies[Math.floor(Math.random() * bodies.length)],
    }),
  },
]

const bareHelloRequests = (): autocannon.Request[] => [{ method: 'GET', path: bareRoutes.hello }]

const runOf = (figures: RunFigures): CalibrationRun => ({
  reqPerSec: figures.reqPerSec,
  p50Ms: figures.p50Ms,
  p99Ms: figures.p99Ms,
  requests: figures.requests,
  notOk: notOk(figures),
})

/** Both calibration runs, after a warm-up of each, on a bare server started for them. */
export async function measureCalibration(redisUrl: string): Promise<Calibration> {
  const durationSec = intFromEnv('BENCH_CALIBRATION_DURATION', quick ? 3 : 5)
  const warmupSec = intFromEnv('BENCH_CALIBRATION_WARMUP', quick ? 1 : 2)
  const { connections } = addItemLoadShape
  const runId = `bench-${randomUUID().slice(0, 8)}`
  const bodies = addItemPairs(
    (index) => `${runId}-user-${index}`,
    (index) => `${runId}-book-${index}`,
    addItemLoadShape,
  ).map(bareAddItemBody)
  const redis = new Redis(redisUrl, { connectionName: 'bench-calibration' })
  const server = await startBareServer(redisUrl)
  try {
    const run = async (label: string, requests: () => autocannon.Request[], seconds: number) => {
      const figures = await runLoad(
        { url: server.url, requests, connections, durationSec: seconds },
        { redis, serverPid: server.pid },
      )
      console.log(describeRun(`calibration ${label}`, figures))
      return figures
    }
    const addItem = () => bareAddItemRequests(bodies)
    await run('warm-up bare Fastify', bareHelloRequests, warmupSec)
    await run('warm-up + EVALSHA', addItem, warmupSec)
    const hello = await run('bare Fastify', bareHelloRequests, durationSec)
    const evalsha = await run('bare Fastify + EVALSHA', addItem, durationSec)
    return { bareFastify: runOf(hello), bareEvalsha: runOf(evalsha), connections, durationSec }
  } finally {
    await server.stop()
    await deleteKeys(redis, `*${runId}*`)
    await redis.quit()
  }
}

/** The calibration `pnpm bench` handed down, if it did. */
export function calibrationFromEnv(): Calibration | undefined {
  const raw = process.env[calibrationEnv]
  if (raw === undefined || raw === '') return undefined
  const parsed: unknown = JSON.parse(raw)
  if (!Check(Calibration, parsed)) throw new Error(`${calibrationEnv} does not hold a calibration: ${raw}`)
  return parsed
}

/** The calibration of this run: the one handed down, else measured now. */
export const obtainCalibration = async (redisUrl: string): Promise<Calibration> =>
  calibrationFromEnv() ?? (await measureCalibration(redisUrl))

/** The calibration as rows of the table, each also as a share of the reference machine. */
export function calibrationRows(calibration: Calibration, when = ''): Row[] {
  const row = (name: string, run: CalibrationRun, reference: number) =>
    figure(
      `${name}${when}`,
      run.reqPerSec,
      'req/s',
      `p99 ${run.p99Ms} ms; ${formatNumber(run.reqPerSec / reference)} x SPEC's machine (${formatNumber(reference)})` +
        (run.notOk > 0 ? `; ${run.notOk} requests not 2xx` : ''),
    )
  return [
    row('bare Fastify route', calibration.bareFastify, referenceMachine.bareFastifyReqPerSec),
    row('bare Fastify + EVALSHA route', calibration.bareEvalsha, referenceMachine.bareEvalshaReqPerSec),
  ]
}
