import { describe, expect, it } from 'vitest'
import { runBenchmark } from '../lib/run-benchmark'

const fixture = (name: string) => ({ name, script: `bench/test/fixtures/${name}.ts` })

describe('runBenchmark', () => {
  it("reads the report from a benchmark's last line, with the environment handed down", async () => {
    const outcome = await runBenchmark(fixture('reports'), { BENCH_CALIBRATION: '{}' }, 60)
    expect(outcome.problem).toBeUndefined()
    expect(outcome.report).toMatchObject({ bench: 'fixture', pass: false, calibrated: true })
    expect(outcome.report?.rows.map((row) => [row.figure, row.pass])).toEqual([
      ['latency p99', true],
      ['ratio', false],
      ['seen', undefined],
    ])
  })

  it('turns a crash into an outcome without a report', async () => {
    const outcome = await runBenchmark(fixture('crashes'), {}, 60)
    expect(outcome).toMatchObject({ name: 'crashes', problem: 'exited 1' })
    expect(outcome.report).toBeUndefined()
  })

  it('says why a last line is not a report', async () => {
    const outcome = await runBenchmark(fixture('prints-no-report'), {}, 60)
    expect(outcome.report).toBeUndefined()
    expect(outcome.problem).toMatch(/^its last line is not a report: .*rows/)
  })

  it('stops a benchmark that runs past its time limit', async () => {
    const outcome = await runBenchmark(fixture('hangs'), {}, 2)
    expect(outcome).toMatchObject({ name: 'hangs', problem: 'stopped after 2 s' })
    expect(outcome.seconds).toBeLessThan(15)
  })
})
