import type { CatalogBookState } from '@bookstore/events'
import { cartMutationScript } from './cart-commit'

/** scripts/cart-set-quantity.lua: set the quantity of a line (raising it checks the book). */
export interface SetQuantityInput {
  bookId: string
  /** The new quantity (>= 1). */
  quantity: number
  /** The book as the read model has it; undefined: unknown (raising is refused as BOOK_NOT_FOUND). */
  book: Pick<CatalogBookState, 'status' | 'stock'> | undefined
  maxQuantityPerItem: number
}

/** ARGV[10..14], in order (KEYS and ARGV[1..9]: cart-commit.ts). */
type SetQuantityArgv = [
  bookId: string,
  quantity: number,
  bookStatus: CatalogBookState['status'] | 'missing',
  bookStock: number,
  maxQuantityPerItem: number,
]

export const setQuantityScript = cartMutationScript(
  'cart-set-quantity.lua',
  ({ bookId, quantity, book, maxQuantityPerItem }: SetQuantityInput): SetQuantityArgv => [
    bookId,
    quantity,
    book?.status ?? 'missing',
    book?.stock ?? 0,
    maxQuantityPerItem,
  ],
)
