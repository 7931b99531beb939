import { defineConfig } from 'vitest/config'
import { TestRunReporter } from './infra/test-run-reporter.ts'

/**
 * The vitest setup every workspace shares: workspace packages resolve to their TypeScript source
 * (the `source` export condition), and tests that talk to Redis get it from the test kit's global
 * setup (REDIS_URL, else the local server, else a private redis-server).
 */
export function workspaceTestConfig(options: { redis?: boolean } = {}) {
  return defineConfig({
    resolve: { conditions: ['source'] },
    ssr: { resolve: { conditions: ['source'] } },
    test: {
      globalSetup: options.redis ? ['@bookstore/test-kit/global-setup'] : [],
      // The default output, and a record of the run for the summary line of `./dev test`.
      reporters: ['default', new TestRunReporter()],
      testTimeout: 20_000,
      hookTimeout: 20_000,
    },
  })
}
