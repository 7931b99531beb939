import react from '@vitejs/plugin-react'
import { defaultClientConditions, defineConfig } from 'vite'
import { devProxy } from './dev-proxy.ts'
import { precompress } from './precompress.ts'

export default defineConfig(() => {
  const proxy = devProxy(process.env)
  const port = Number(process.env.WEB_PORT) || 5173
  return {
    plugins: [react(), precompress()],
    // Workspace packages (events, realtime-client) are bundled from their TypeScript source.
    resolve: { conditions: ['source', ...defaultClientConditions] },
    server: { host: '127.0.0.1', port, strictPort: true, proxy },
    preview: { host: '127.0.0.1', port, strictPort: true, proxy },
    build: { target: 'es2022', sourcemap: true },
  }
})
