import { cartMutationScript } from './cart-commit'

/** scripts/cart-clear.lua: empty the cart (the version still moves on). Nothing of its own. */
export type ClearInput = Record<string, never>

/** No ARGV of its own (KEYS and ARGV[1..9]: cart-commit.ts). */
type ClearArgv = []

export const clearScript = cartMutationScript('cart-clear.lua', (_input: ClearInput): ClearArgv => [])
