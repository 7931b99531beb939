import { cartCommitCall, cartCommitKeyCount } from './cart-commit'
import { type RedisClient, RedisScript, type ScriptCall } from './redis-script'

export const cartAdvanceVersionScript = RedisScript.fromFile('cart-advance-version.lua', cartCommitKeyCount)

/** scripts/cart-advance-version.lua: a cart behind its PostgreSQL copy gets a version past it. */
export interface AdvanceVersionInput {
  userId: string
  /** The version PostgreSQL holds. */
  durableVersion: number
  /** Versions left unused past it (handed out before Redis lost them). */
  skip: number
  now: number
  /** The expiry of a cart that had none (a cart's remaining lifetime is kept). */
  cartTtlSeconds: number
}

/** ARGV[10..11], in order (KEYS and ARGV[1..9]: cart-commit.ts, without an Idempotency-Key). */
type AdvanceArgv = [durableVersion: number, skip: number]

export function advanceVersionCall(input: AdvanceVersionInput): ScriptCall {
  const argv: AdvanceArgv = [input.durableVersion, input.skip]
  return cartCommitCall({ userId: input.userId, now: input.now, cartTtlSeconds: input.cartTtlSeconds }, argv)
}

export type AdvanceVersionResult =
  | { outcome: 'advanced'; cartJson: string; version: number }
  | { outcome: 'unchanged'; version: number }
  | { outcome: 'absent' }

/** The script's reply: { 0, cart, version } advanced, { 2, '', version } unchanged, { 3, '' } absent. */
export function parseAdvanceVersionReply(raw: unknown): AdvanceVersionResult {
  if (!Array.isArray(raw) || raw.length < 2) throw new Error(`unexpected advance reply: ${String(raw)}`)
  const [code, payload, version] = raw as [number, string, number | undefined]
  if (code === 0) return { outcome: 'advanced', cartJson: payload, version: Number(version) }
  if (code === 2) return { outcome: 'unchanged', version: Number(version) }
  if (code === 3) return { outcome: 'absent' }
  throw new Error(`unknown advance code ${code}`)
}

/** Moves one cart's version past PostgreSQL's: one atomic script call. */
export async function advanceCartVersion(
  redis: RedisClient,
  input: AdvanceVersionInput,
): Promise<AdvanceVersionResult> {
  const { keys, args } = advanceVersionCall(input)
  return parseAdvanceVersionReply(await cartAdvanceVersionScript.run(redis, keys, args))
}
