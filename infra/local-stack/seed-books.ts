/**
 * The sample catalog now lives in book-api (apps/book-api/src/seed/seed-catalog.ts): book-api loads
 * it into an empty database (SEED_CATALOG=true) and writes every book's read model on start. Its
 * ids are stable (book-0001 ... book-0300), so sample requests and saved carts keep working.
 */
export const sampleBookId = 'book-0001'
