/**
 * The gateway's setting for an upstream's instances: CART_API_URLS for cart-api. The gateway's own
 * config defines it (apps/gateway/src/config.ts, whose test checks this copy agrees); test-kit and
 * the local stack cannot import an app, so they build the settings with this.
 */
export const gatewayUpstreamVariable = (name: string) => `${name.toUpperCase().replaceAll('-', '_')}_URLS`

/** `{ CART_API_URLS: 'http://a,http://b', ... }` for the gateway, from the running apps' addresses. */
export function gatewayUpstreamsEnv(
  apps: ReadonlyArray<{ name: string; url: string }>,
): Record<string, string> {
  const urls = new Map<string, string[]>()
  for (const app of apps) {
    if (app.name === 'gateway') continue
    urls.set(app.name, [...(urls.get(app.name) ?? []), app.url])
  }
  return Object.fromEntries([...urls].map(([name, list]) => [gatewayUpstreamVariable(name), list.join(',')]))
}
