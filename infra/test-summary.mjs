// Adds up what every workspace's test run recorded (infra/test-run-reporter.ts) into the closing
// lines of `./dev test`: first each failed test with its first error, then what failed outside a test (unhandled errors, failed files), with
// their stacks, then one line "N passed, N failed[, N skipped][, N errors]". CI shows the end of
// the output, so the reason of a red run is there too.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'

const workspaces = [
  'lua',
  ...['apps', 'packages'].flatMap((dir) => readdirSync(dir).map((name) => join(dir, name))),
]
// test-run.json: a workspace's vitest run; e2e-run.json: the web shop's Playwright run;
// cluster-<step>-run.json: a step of the cluster suite (infra/redis-cluster/run-suite).
const recordNames = (workspace) => {
  const dir = join(workspace, '.turbo')
  const cluster = existsSync(dir)
    ? readdirSync(dir).filter((name) => /^cluster-.+-run\.json$/.test(name))
    : []
  return ['test-run.json', 'e2e-run.json', ...cluster]
}
const records = workspaces.flatMap((workspace) =>
  recordNames(workspace).map((name) => ({
    workspace: name.startsWith('cluster-') ? `${workspace} on Redis Cluster` : workspace,
    record: join(workspace, '.turbo', name),
  })),
)

if (process.argv[2] === '--clear') {
  for (const { record } of records) rmSync(record, { force: true })
} else {
  let passed = 0
  let failed = 0
  let skipped = 0
  let errors = 0
  for (const { workspace, record: recordFile } of records) {
    if (!existsSync(recordFile)) continue
    const record = JSON.parse(readFileSync(recordFile, 'utf8'))
    passed += record.passed
    failed += record.failed
    skipped += record.skipped
    for (const { file, test, error } of record.failedTests ?? [])
      console.log(`\n[${workspace}] ${file} > ${test} failed:\n${firstLines(error)}`)
    for (const { file, errors: fileErrors } of record.failedFiles) {
      errors += fileErrors.length
      for (const error of fileErrors)
        console.log(`\n[${workspace}] ${file} failed outside its tests:\n${error}`)
    }
    for (const { file, test, error } of record.unhandledErrors) {
      errors += 1
      const where = [file, test && `(last test: ${test})`].filter(Boolean).join(' ')
      console.log(`\n[${workspace}] unhandled error${where ? ` while ${where} ran` : ''}:\n${error}`)
    }
  }
  const extra = [
    skipped && `${skipped} skipped`,
    errors && `${errors} error${errors === 1 ? '' : 's'}`,
  ].filter(Boolean)
  console.log(`${passed} passed, ${failed} failed${extra.map((part) => `, ${part}`).join('')}`)
}

/** An error's message and its first frames outside node_modules: enough to see where, short enough for CI's tail. */
function firstLines(error) {
  return error
    .split('\n')
    .filter((line) => !line.includes('node_modules'))
    .slice(0, 10)
    .join('\n')
}
