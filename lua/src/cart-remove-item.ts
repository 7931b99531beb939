import { cartMutationScript } from './cart-commit'

/** scripts/cart-remove-item.lua: remove a book from the cart. */
export interface RemoveItemInput {
  bookId: string
}

/** ARGV[10] (KEYS and ARGV[1..9]: cart-commit.ts). */
type RemoveItemArgv = [bookId: string]

export const removeItemScript = cartMutationScript(
  'cart-remove-item.lua',
  ({ bookId }: RemoveItemInput): RemoveItemArgv => [bookId],
)
