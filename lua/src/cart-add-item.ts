import type { CatalogBookState } from '@bookstore/events'
import { cartMutationScript } from './cart-commit'

/** scripts/cart-add-item.lua: add copies of a book, its title and price refreshed. */
export interface AddItemInput {
  bookId: string
  /** Copies to add (>= 1). */
  quantity: number
  /** The book as the read model has it; undefined: unknown, refused as BOOK_NOT_FOUND. */
  book: CatalogBookState | undefined
  maxQuantityPerItem: number
  maxDistinctItems: number
}

/** ARGV[10..17], in order (KEYS and ARGV[1..9]: cart-commit.ts). */
type AddItemArgv = [
  bookId: string,
  quantity: number,
  bookStatus: CatalogBookState['status'] | 'missing',
  bookTitle: string,
  bookPriceCents: number,
  bookStock: number,
  maxQuantityPerItem: number,
  maxDistinctItems: number,
]

export const addItemScript = cartMutationScript(
  'cart-add-item.lua',
  ({ bookId, quantity, book, maxQuantityPerItem, maxDistinctItems }: AddItemInput): AddItemArgv => [
    bookId,
    quantity,
    book?.status ?? 'missing',
    book?.title ?? '',
    book?.priceCents ?? 0,
    book?.stock ?? 0,
    maxQuantityPerItem,
    maxDistinctItems,
  ],
)
