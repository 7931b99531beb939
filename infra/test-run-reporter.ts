import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, relative, resolve } from 'node:path'
import type { Reporter, SerializedError, TestModule, Vitest } from 'vitest/node'

/**
 * Where each workspace's run is recorded; infra/test-summary.mjs adds them up. The cluster suite
 * (infra/redis-cluster/run-suite) names a record of its own per step (TEST_RUN_RECORD,
 * `.turbo/cluster-<step>-run.json`), so its runs never overwrite the normal suite's.
 */
export const testRunFile = process.env.TEST_RUN_RECORD ?? '.turbo/test-run.json'

export interface TestRunRecord {
  passed: number
  failed: number
  skipped: number
  /** Each failed test: its file, its full name and its first error (CI shows only the end). */
  failedTests: { file: string; test: string; error: string }[]
  /** Test files that failed outside any test (import, beforeAll, afterAll). */
  failedFiles: { file: string; errors: string[] }[]
  /** Errors thrown outside every test (a rejection nobody handled, an 'error' event nobody heard). */
  unhandledErrors: { file?: string; test?: string; error: string }[]
}

/**
 * Records what a workspace's run came to, unhandled errors included: vitest's JSON report leaves
 * them out, yet they fail the run, and CI shows only the end of its output.
 */
export class TestRunReporter implements Reporter {
  private root = process.cwd()

  onInit(vitest: Vitest) {
    this.root = vitest.config.root
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>) {
    const record: TestRunRecord = {
      passed: 0,
      failed: 0,
      skipped: 0,
      failedTests: [],
      failedFiles: [],
      unhandledErrors: [],
    }
    for (const module of modules) {
      for (const test of module.children.allTests()) {
        const result = test.result()
        if (result.state === 'passed') record.passed += 1
        else if (result.state === 'failed') {
          record.failed += 1
          const [first] = result.errors ?? []
          record.failedTests.push({
            file: this.relative(module.moduleId),
            test: test.fullName,
            error: first ? describe(first) : 'no error recorded',
          })
        } else record.skipped += 1
      }
      const errors = module.errors()
      if (errors.length > 0)
        record.failedFiles.push({ file: this.relative(module.moduleId), errors: errors.map(describe) })
    }
    for (const error of unhandledErrors) {
      const file = error.VITEST_TEST_PATH
      const test = error.VITEST_TEST_NAME
      record.unhandledErrors.push({
        ...(typeof file === 'string' ? { file: this.relative(file) } : {}),
        ...(typeof test === 'string' ? { test } : {}),
        error: describe(error),
      })
    }
    const path = resolve(this.root, testRunFile)
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, JSON.stringify(record, null, 2))
  }

  private relative(file: string) {
    return relative(this.root, file)
  }
}

/** The error's name, message and stack (the stack holds the first two already, when there is one). */
function describe(error: SerializedError): string {
  const head = `${error.name ?? 'Error'}: ${error.message}`
  return error.stack?.includes(error.message) ? error.stack : `${head}\n${error.stack ?? ''}`.trim()
}
