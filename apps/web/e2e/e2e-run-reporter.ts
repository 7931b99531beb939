import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FullResult, Reporter, TestCase, TestError, TestResult } from '@playwright/test/reporter'

/** Next to the unit tests' record; infra/test-summary.mjs adds both into the closing line of ./dev test. */
const recordFile = join(fileURLToPath(new URL('..', import.meta.url)), '.turbo', 'e2e-run.json')

/** The e2e run in the record format of infra/test-run-reporter.ts (last result of each test counts). */
export default class E2eRunReporter implements Reporter {
  #outcomes = new Map<string, { test: TestCase; result: TestResult }>()
  #errors: { file?: string; test?: string; error: string }[] = []

  onTestEnd(test: TestCase, result: TestResult) {
    this.#outcomes.set(test.id, { test, result })
  }

  onError(error: TestError) {
    this.#errors.push({ error: error.stack ?? error.message ?? String(error.value) })
  }

  onEnd(result: FullResult) {
    const ends = [...this.#outcomes.values()]
    const outcomes = ends.map(({ result: { status } }) => status)
    const failedEnds = ends.filter(({ result: { status } }) => status !== 'passed' && status !== 'skipped')
    const record = {
      passed: outcomes.filter((status) => status === 'passed').length,
      failed: outcomes.filter(
        (status) => status === 'failed' || status === 'timedOut' || status === 'interrupted',
      ).length,
      skipped: outcomes.filter((status) => status === 'skipped').length,
      failedTests: failedEnds.map(({ test, result }) => ({
        file: test.location.file.replace(/^.*\/e2e\//, 'e2e/'),
        test: test.titlePath().filter(Boolean).join(' > '),
        error: result.errors[0]?.stack ?? result.errors[0]?.message ?? `ended ${result.status}`,
      })),
      failedFiles: [],
      unhandledErrors:
        result.status === 'passed' || this.#errors.length > 0
          ? this.#errors
          : [{ error: `the e2e run ended ${result.status}` }],
    }
    mkdirSync(dirname(recordFile), { recursive: true })
    writeFileSync(recordFile, JSON.stringify(record, null, 2))
  }
}
