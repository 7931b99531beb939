// Adds up the vitest JSON reports of every workspace into one closing line: "N passed, N failed".
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'

const reportOf = (workspace) => join(workspace, '.turbo', 'test-results.json')
const workspaces = [
  'lua',
  ...['apps', 'packages'].flatMap((dir) => readdirSync(dir).map((name) => join(dir, name))),
]

if (process.argv[2] === '--clear') {
  for (const workspace of workspaces) rmSync(reportOf(workspace), { force: true })
} else {
  let passed = 0
  let failed = 0
  let skipped = 0
  for (const workspace of workspaces) {
    if (!existsSync(reportOf(workspace))) continue
    const results = JSON.parse(readFileSync(reportOf(workspace), 'utf8'))
    passed += results.numPassedTests
    failed += results.numFailedTests
    skipped += results.numPendingTests + results.numTodoTests
  }
  console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`)
}
