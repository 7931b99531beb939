/**
 * The instances of one upstream, balanced per request (round robin over the ones that answer). An
 * instance that fails a connection or a health probe is skipped until a probe finds it answering
 * again; with every instance down a request still tries one, so the first one back is found at once.
 */
export interface UpstreamInstance {
  url: string
  up: boolean
  /** Why it is down (the last failure), for /health/ready. */
  reason: string | undefined
}

export interface UpstreamPool {
  name: string
  instances: readonly UpstreamInstance[]
  /** The next instance to try, never one of `tried`; undefined when none is left. */
  pick: (tried?: ReadonlySet<string>) => UpstreamInstance | undefined
  markDown: (url: string, reason: string) => void
  markUp: (url: string) => void
  /** 'ok' when every instance answers, else a line saying which do not. */
  describe: () => string
}

export function createUpstreamPool(name: string, urls: readonly string[]): UpstreamPool {
  const instances: UpstreamInstance[] = urls.map((url) => ({ url, up: true, reason: undefined }))
  let next = 0
  const find = (url: string) => instances.find((instance) => instance.url === url)

  const pick = (tried: ReadonlySet<string> = new Set()) => {
    const candidates = instances.filter((instance) => !tried.has(instance.url))
    if (candidates.length === 0) return undefined
    const up = candidates.filter((instance) => instance.up)
    const choices = up.length > 0 ? up : candidates
    next = (next + 1) % 1_000_000_000
    return choices[next % choices.length]
  }

  return {
    name,
    instances,
    pick,
    markDown(url, reason) {
      const instance = find(url)
      if (!instance) return
      instance.up = false
      instance.reason = reason
    },
    markUp(url) {
      const instance = find(url)
      if (!instance) return
      instance.up = true
      instance.reason = undefined
    },
    describe() {
      if (instances.length === 0) return 'not configured'
      const down = instances.filter((instance) => !instance.up)
      if (down.length === 0) return 'ok'
      const answering = instances.length - down.length
      return `${answering} of ${instances.length} instances answer; ${down
        .map((instance) => `${instance.url}: ${instance.reason ?? 'down'}`)
        .join('; ')}`
    },
  }
}
