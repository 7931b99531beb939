import type { ProxyOptions } from 'vite'

/**
 * Vite's dev server (hot reload) in front of the running gateway: the shop's API calls (`/api/...`)
 * and its socket (`/ws`) go to the gateway as they are, so the shop sees exactly the paths it sees
 * in production. WEB_GATEWAY_URL points it elsewhere (default: the local stack's gateway).
 */
export function devProxy(env: Record<string, string | undefined>): Record<string, ProxyOptions> {
  const target = env.WEB_GATEWAY_URL || 'http://127.0.0.1:8080'
  // Regex keys (leading ^): `/api` and below only, not `/apiary`. The Origin header passes unchanged:
  // realtime-gateway checks it against ALLOWED_ORIGINS (the local stack lists the dev server's).
  return {
    '^/api(/|$)': { target, xfwd: true },
    '^/ws$': { target, ws: true, xfwd: true },
  }
}
