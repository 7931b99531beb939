import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FullResult, Reporter, TestCase, TestError, TestResult } from '@playwright/test/reporter'

/** Next to the unit tests' record; infra/test-summary.mjs adds both into the closing line of ./dev test. */
const recordFile = join(fileURLToPath(new URL('..', import.meta.url)), '.turbo', 'e2e-run.json')

/** The e2e run in the record format of infra/test-run-reporter.ts (last result of each test counts). */
export default class E2eRunReporter implements Reporter {
  #outcomes = new Map<string, TestResult['status']>()
  #errors: { file?: string; test?: string; error: string }[] = []

  onTestEnd(test: TestCase, result: TestResult) {
    this.#outcomes.set(test.id, result.status)
  }

  onError(error: TestError) {
    this.#errors.push({ error: error.stack ?? error.message ?? String(error.value) })
  }

  onEnd(result: FullResult) {
    const outcomes = [...this.#outcomes.values()]
    const record = {
      passed: outcomes.filter((status) => status === 'passed').length,
      failed: outcomes.filter(
        (status) => status === 'failed' || status === 'timedOut' || status === 'interrupted',
      ).length,
      skipped: outcomes.filter((status) => status === 'skipped').length,
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
