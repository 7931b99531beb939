import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot } from './paths'
import { type ServiceProcess, startServiceProcess } from './service-process'
import { StackError } from './stack-error'

/**
 * The web shop's built files, served by Vite's preview server, which proxies `/api/...` and `/ws`
 * to the apps the way the gateway will (apps/web/dev-proxy.ts). Once the gateway serves the shop,
 * this goes.
 */
export const webShopPort = Number(process.env.WEB_SHOP_PORT) || 5173
export const webShopUrl = `http://127.0.0.1:${webShopPort}`
export const webShopOrigins = [webShopUrl, `http://localhost:${webShopPort}`]

export async function startWebShop(env: Record<string, string>): Promise<ServiceProcess> {
  const dir = join(repoRoot, 'apps', 'web')
  if (!existsSync(join(dir, 'dist', 'index.html')))
    throw new StackError('apps/web/dist is missing: build it with pnpm build')
  const vite = join(dir, 'node_modules', 'vite', 'bin', 'vite.js')
  const service = startServiceProcess('web', process.execPath, [vite, 'preview'], {
    cwd: dir,
    env: { ...process.env, ...env, WEB_PORT: String(webShopPort) },
  })
  const deadline = Date.now() + 30_000
  for (;;) {
    try {
      const answer = await fetch(webShopUrl, { signal: AbortSignal.timeout(1000) })
      await answer.body?.cancel()
      if (answer.ok) return service
    } catch {
      // Not listening yet.
    }
    if (service.hasExited())
      throw new StackError('the web shop exited before it answered (see its log above)')
    if (Date.now() > deadline) {
      await service.stop()
      throw new StackError(`the web shop did not answer on ${webShopUrl} within 30 s`)
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}
