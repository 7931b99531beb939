import { randomUUID } from 'node:crypto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { SessionManager } from '../src/session/session-manager'
import { browserTabSync } from '../src/session/tab-sync'

afterEach(() => {
  vi.unstubAllGlobals()
})

const user = { id: 'a1b2c3d4-0000-4000-8000-000000000001', role: 'customer' as const }
const session = (accessToken: string) => ({
  tokenType: 'Bearer',
  accessToken,
  expiresIn: 900,
  refreshExpiresIn: 3600,
  user,
})
const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

// The page's first refresh (no cookie yet) is still on its way when the shopper logs in; its 401
// comes back after the log-in. It said "no session" of the state before: the log-in must stand
// (the accounts e2e ended on "Something went wrong" when this answer cleared it).
describe('a refresh answer that comes back after a log-in', () => {
  it('does not end the session the log-in made', async () => {
    let answerRefresh: ((response: Response) => void) | undefined
    vi.stubGlobal(
      'fetch',
      vi.fn(async (path: string) => {
        if (path.endsWith('/session/refresh'))
          return new Promise<Response>((resolve) => {
            answerRefresh = resolve
          })
        if (path.endsWith('/auth/session')) return json(200, session('logged-in'))
        if (path.endsWith('/auth/me'))
          return json(200, { ...user, email: 'a@example.com', createdAt: new Date().toISOString() })
        return json(404, { error: { code: 'ROUTE_NOT_FOUND', message: 'no' } })
      }),
    )
    const tabs = browserTabSync(`race-${randomUUID()}`, { BroadcastChannel })
    const manager = new SessionManager(tabs, { peerWaitMs: 10 })
    try {
      const started = manager.start()
      await expect.poll(() => answerRefresh).not.toBe(undefined)
      await manager.login('a@example.com', 'a long enough password')
      expect(manager.state.status).toBe('authenticated')

      answerRefresh?.(json(401, { error: { code: 'AUTH_TOKEN_MISSING', message: 'no session' } }))
      await started
      expect(manager.state.status).toBe('authenticated')
      expect(await manager.accessToken()).toBe('logged-in')
    } finally {
      manager.close()
      tabs.close()
    }
  })
})
