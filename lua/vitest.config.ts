import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    globalSetup: ['@bookstore/test-kit/global-setup'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
})
