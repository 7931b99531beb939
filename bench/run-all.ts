/**
 * `pnpm bench`: every benchmark of bench/benchmarks.ts in turn, each in its own process exactly as
 * when it runs alone, with the machine's calibration (lib/calibration.ts) measured here first and
 * handed to each in BENCH_CALIBRATION; measured again at the end, to show how much the machine
 * changed meanwhile. Each benchmark's output is passed on with its name in front; then one table of
 * every row (calibration included) and, as the LAST line, one JSON object with everything.
 *
 * A benchmark that crashes, ends without a report line or runs past BENCH_TIME_LIMIT s (600; it is
 * stopped, its clean-up runs) gets a failing row, and the others still run. Exits 0 when every
 * benchmark reported, whatever its verdicts (they are in the table and in `pass`), else 1.
 * Environment: BENCH_ONLY=cart,persist (a subset, in list order), BENCH_TIME_LIMIT, BENCH_QUICK=1
 * and every benchmark's own settings.
 */
import { benchmarks } from './benchmarks'
import { type Calibration, calibrationEnv, calibrationRows, measureCalibration } from './lib/calibration'
import { cleanUp, runBench } from './lib/cleanup'
import { intFromEnv } from './lib/env'
import { chooseRedis } from './lib/redis-target'
import { checked, formatNumber, formatTable, type Row } from './lib/report'
import { type Outcome, runBenchmark } from './lib/run-benchmark'

const settings = {
  timeLimitSec: intFromEnv('BENCH_TIME_LIMIT', 600),
  only: process.env.BENCH_ONLY?.split(',')
    .map((name) => name.trim())
    .filter(Boolean),
}

/** Each calibration run of the end as a share of the same run at the start. */
function driftRows(start: Calibration, end: Calibration): Row[] {
  const rows = calibrationRows(end, ', at the end')
  const drift = [
    end.bareFastify.reqPerSec / Math.max(1, start.bareFastify.reqPerSec),
    end.bareEvalsha.reqPerSec / Math.max(1, start.bareEvalsha.reqPerSec),
  ]
  return rows.map((row, index) => ({
    ...row,
    detail: `${formatNumber(drift[index] ?? 0)} x start; ${row.detail}`,
  }))
}

async function main() {
  const started = performance.now()
  const chosen = benchmarks.filter((benchmark) => !settings.only || settings.only.includes(benchmark.name))
  const unknown = settings.only?.filter((name) => !benchmarks.some((benchmark) => benchmark.name === name))
  if (unknown?.length) throw new Error(`BENCH_ONLY names no benchmark: ${unknown.join(', ')}`)

  const redisUrl = await chooseRedis()
  console.log(
    `bench: ${chosen.map((benchmark) => benchmark.name).join(', ')}; calibrating first (redis ${redisUrl})`,
  )
  const calibration = await measureCalibration(redisUrl)
  const env = { REDIS_URL: redisUrl, [calibrationEnv]: JSON.stringify(calibration) }

  const outcomes: Outcome[] = []
  for (const benchmark of chosen) {
    const outcome = await runBenchmark(benchmark, env, settings.timeLimitSec)
    console.log(
      `bench: ${benchmark.name} ${outcome.report ? 'reported' : `did not report (${outcome.problem})`} after ${outcome.seconds} s`,
    )
    outcomes.push(outcome)
  }
  const calibrationAtEnd = await measureCalibration(redisUrl)
  await cleanUp()

  const rows = [
    ...calibrationRows(calibration).map((row) => ({ ...row, bench: 'calibration' })),
    ...outcomes.flatMap((outcome) =>
      (
        outcome.report?.rows ?? [checked('ran to its report', 0, '', { op: '=', value: 1 }, outcome.problem)]
      ).map((row) => ({ ...row, bench: outcome.name })),
    ),
    ...driftRows(calibration, calibrationAtEnd).map((row) => ({ ...row, bench: 'calibration' })),
  ]
  console.log(formatTable(rows))
  const reported = outcomes.every((outcome) => outcome.report !== undefined)
  console.log(
    JSON.stringify({
      bench: 'all',
      rows,
      pass: rows.every((row) => row.pass !== false),
      calibration,
      calibrationAtEnd,
      reports: Object.fromEntries(outcomes.map((outcome) => [outcome.name, outcome.report ?? null])),
      problems: Object.fromEntries(
        outcomes.flatMap((outcome) => (outcome.problem ? [[outcome.name, outcome.problem]] : [])),
      ),
      seconds: Object.fromEntries(outcomes.map((outcome) => [outcome.name, outcome.seconds])),
      totalSec: Math.round((performance.now() - started) / 1000),
    }),
  )
  if (!reported) process.exitCode = 1
}

await runBench(main)
