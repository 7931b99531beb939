import { connect } from 'node:net'
import {
  type AppSpec,
  type Env,
  type InProcessApp,
  type StackOptions,
  startStack,
  type TestStack,
} from '@bookstore/test-kit'

export interface GatewayStack extends TestStack {
  gateways: InProcessApp[]
  /** The first gateway's address. */
  url: string
}

/**
 * The given apps, then `gateways` gateway instances in front of every one of them (each given the
 * stack's running instances as its upstreams), all on one Redis and signing key.
 */
export async function startGatewayStack(
  options: StackOptions & { gateways?: number; gatewayEnv?: Env },
): Promise<GatewayStack> {
  const stack = await startStack(options)
  try {
    const gateways: InProcessApp[] = []
    for (let index = 0; index < (options.gateways ?? 1); index++)
      gateways.push(
        await stack.start('gateway', { env: { ...stack.gatewayUpstreams(), ...options.gatewayEnv } }),
      )
    return Object.assign(stack, { gateways, url: (gateways[0] as InProcessApp).url })
  } catch (error) {
    await stack.close()
    throw error
  }
}

export type { AppSpec }

/** Sends `text` as it is over a fresh TCP connection and returns what comes back until the server closes. */
export function rawHttp(url: string, text: string, timeoutMs = 5000): Promise<string> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => socket.write(text))
    const chunks: Buffer[] = []
    const timer = setTimeout(() => {
      socket.destroy()
      resolve(Buffer.concat(chunks).toString())
    }, timeoutMs)
    socket.on('data', (chunk) => chunks.push(chunk))
    socket.on('close', () => {
      clearTimeout(timer)
      resolve(Buffer.concat(chunks).toString())
    })
    socket.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
  })
}

/** The status and JSON body of a raw HTTP answer. */
export function parseRawAnswer(answer: string): { status: number; body: unknown } {
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0)
  const text = answer.slice(answer.indexOf('\r\n\r\n') + 4)
  try {
    return { status, body: JSON.parse(text) }
  } catch {
    return { status, body: text }
  }
}

/** How many requests an app has answered on one route (its http_request_duration_seconds count). */
export async function answeredCount(appUrl: string, route: string): Promise<number> {
  const text = await (await fetch(`${appUrl}/metrics`)).text()
  let total = 0
  for (const line of text.split('\n')) {
    if (!line.startsWith('http_request_duration_seconds_count{')) continue
    if (!line.includes(`route="${route}"`)) continue
    total += Number(line.split(' ').at(-1))
  }
  return total
}
