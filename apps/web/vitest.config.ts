import react from '@vitejs/plugin-react'
import { mergeConfig } from 'vitest/config'
import { workspaceTestConfig } from '../../vitest.shared.ts'

// Unit and component tests in happy-dom; the e2e suite (e2e/) runs in Chromium under Playwright.
export default mergeConfig(workspaceTestConfig(), {
  plugins: [react()],
  test: { environment: 'happy-dom', include: ['test/**/*.test.{ts,tsx}'], setupFiles: ['test/setup.ts'] },
})
