import { defineConfig, devices } from '@playwright/test'

// One port for the whole run: set here in the main process, inherited by the stack and the workers.
// Below Linux's ephemeral range (32768-60999): the port is chosen long before the gateway listens on
// it, and meanwhile the stack's own outgoing connections take ephemeral ports (one took it in CI).
process.env.E2E_WEB_PORT ||= String(21_000 + (process.pid % 2_000))
const baseURL = `http://127.0.0.1:${process.env.E2E_WEB_PORT}`
const asRoot = process.getuid?.() === 0

/**
 * End to end in a real browser (SPEC W2): Debian's chromium (never a downloaded browser build),
 * against the real stack (e2e/stack/e2e-stack.ts). Screenshots of the main pages go to
 * test-results/screenshots.
 */
export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.e2e.ts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  outputDir: 'test-results/artifacts',
  reporter: [['list'], ['./e2e/e2e-run-reporter.ts']],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      // This machine's chromium needs these; the sandbox cannot run as root.
      args: [
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        ...(asRoot ? ['--no-sandbox'] : []),
      ],
    },
  },
  projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'], channel: undefined } }],
  webServer: {
    command: 'node --conditions=source --import tsx e2e/stack/e2e-stack.ts',
    url: baseURL,
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: 20_000 },
  },
})
