import { bookCategories, books, categories, type Database } from '@bookstore/db'
import { count } from 'drizzle-orm'

/** The sample catalog's categories (slug, name). */
const sampleCategories: Array<[string, string]> = [
  ['software', 'Software Engineering'],
  ['science-fiction', 'Science Fiction'],
  ['fantasy', 'Fantasy'],
  ['mystery', 'Mystery & Crime'],
  ['history', 'History'],
  ['science', 'Popular Science'],
  ['biography', 'Biography'],
  ['classics', 'Classics'],
  ['business', 'Business'],
  ['cooking', 'Cooking'],
  ['travel', 'Travel'],
  ['poetry', 'Poetry'],
]

/** Real books first (stable ids book-0001 ...: the README's examples use them). */
const classics: Array<[title: string, author: string, category: string, year: number]> = [
  ['The Pragmatic Programmer', 'Andrew Hunt', 'software', 1999],
  ['Designing Data-Intensive Applications', 'Martin Kleppmann', 'software', 2017],
  ['Clean Code', 'Robert C. Martin', 'software', 2008],
  ['Refactoring', 'Martin Fowler', 'software', 1999],
  ['Domain-Driven Design', 'Eric Evans', 'software', 2003],
  ['Structure and Interpretation of Computer Programs', 'Harold Abelson', 'software', 1985],
  ['The Mythical Man-Month', 'Frederick P. Brooks Jr.', 'software', 1975],
  ['Code Complete', 'Steve McConnell', 'software', 1993],
  ['Release It!', 'Michael T. Nygard', 'software', 2007],
  ['Site Reliability Engineering', 'Betsy Beyer', 'software', 2016],
  ['Working Effectively with Legacy Code', 'Michael Feathers', 'software', 2004],
  ['Dune', 'Frank Herbert', 'science-fiction', 1965],
  ['Foundation', 'Isaac Asimov', 'science-fiction', 1951],
  ['The Left Hand of Darkness', 'Ursula K. Le Guin', 'science-fiction', 1969],
  ['Neuromancer', 'William Gibson', 'science-fiction', 1984],
  ['The Hobbit', 'J. R. R. Tolkien', 'fantasy', 1937],
  ['A Wizard of Earthsea', 'Ursula K. Le Guin', 'fantasy', 1968],
  ['The Name of the Rose', 'Umberto Eco', 'mystery', 1980],
  ['The Hound of the Baskervilles', 'Arthur Conan Doyle', 'mystery', 1902],
  ['Murder on the Orient Express', 'Agatha Christie', 'mystery', 1934],
  ['The Guns of August', 'Barbara W. Tuchman', 'history', 1962],
  ['SPQR', 'Mary Beard', 'history', 2015],
  ['A Brief History of Time', 'Stephen Hawking', 'science', 1988],
  ['The Selfish Gene', 'Richard Dawkins', 'science', 1976],
  ['Cosmos', 'Carl Sagan', 'science', 1980],
  ['The Diary of a Young Girl', 'Anne Frank', 'biography', 1947],
  ['Pride and Prejudice', 'Jane Austen', 'classics', 1813],
  ['Moby-Dick', 'Herman Melville', 'classics', 1851],
  ['Middlemarch', 'George Eliot', 'classics', 1871],
  ['Anna Karenina', 'Leo Tolstoy', 'classics', 1878],
  ["The Innovator's Dilemma", 'Clayton M. Christensen', 'business', 1997],
  ['Thinking, Fast and Slow', 'Daniel Kahneman', 'business', 2011],
  ['Salt, Fat, Acid, Heat', 'Samin Nosrat', 'cooking', 2017],
  ['The Art of French Cooking', 'Julia Child', 'cooking', 1961],
  ['In Patagonia', 'Bruce Chatwin', 'travel', 1977],
  ['Leaves of Grass', 'Walt Whitman', 'poetry', 1855],
]

const adjectives = [
  'Silent',
  'Hidden',
  'Last',
  'Distant',
  'Golden',
  'Broken',
  'Quiet',
  'Burning',
  'Forgotten',
  'Endless',
  'Northern',
  'Crimson',
  'Hollow',
  'Bright',
  'Wandering',
  'Secret',
]
const nouns = [
  'Harbor',
  'Empire',
  'Garden',
  'Orbit',
  'Kingdom',
  'River',
  'Archive',
  'Lighthouse',
  'Machine',
  'Frontier',
  'Cathedral',
  'Compass',
  'Winter',
  'Library',
  'Signal',
  'Island',
]
const firstNames = [
  'Ada',
  'Elena',
  'Tomas',
  'Priya',
  'Jonas',
  'Mara',
  'Kenji',
  'Lucia',
  'Owen',
  'Sofia',
  'Idris',
  'Nora',
  'Felix',
  'Amara',
  'Henrik',
  'Yara',
]
const lastNames = [
  'Lindqvist',
  'Okafor',
  'Moreau',
  'Tanaka',
  'Castillo',
  'Whitfield',
  'Novak',
  'Haddad',
  'Brennan',
  'Rossi',
  'Achebe',
  'Kowalski',
  'Sato',
  'Fischer',
  'Duarte',
  'Ferreira',
]

/** A small deterministic PRNG (mulberry32): the same catalog on every machine and every start. */
function random(seed: number) {
  let state = seed
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export const seedBookId = (index: number) => `book-${String(index + 1).padStart(4, '0')}`

/** The sample catalog: the classics above, then generated titles up to `size` books. */
export function sampleCatalog(size = 300) {
  const next = random(20_241_123)
  const pick = <T>(list: T[]) => list[Math.floor(next() * list.length)] as T
  return Array.from({ length: size }, (_, index) => {
    const classic = classics[index]
    const category = classic ? classic[2] : pick(sampleCategories)[0]
    const title = classic
      ? classic[0]
      : `The ${pick(adjectives)} ${pick(nouns)}${index % 3 === 0 ? ` of ${pick(nouns)}s` : ''}`
    const author = classic ? classic[1] : `${pick(firstNames)} ${pick(lastNames)}`
    const year = classic ? classic[3] : 1950 + Math.floor(next() * 75)
    const second = next() < 0.3 ? pick(sampleCategories)[0] : undefined
    return {
      id: seedBookId(index),
      title,
      author,
      description: `${title} by ${author}: a ${sampleCategories.find(([id]) => id === category)?.[1].toLowerCase()} title first published in ${year}.`,
      priceCents: 799 + Math.floor(next() * 60) * 100,
      // About 5% sold out, never a classic: the README's examples add those.
      stock: next() < 0.05 && !classic ? 0 : 5 + Math.floor(next() * 95),
      publishedOn: `${year}-${String(1 + Math.floor(next() * 12)).padStart(2, '0')}-${String(1 + Math.floor(next() * 28)).padStart(2, '0')}`,
      categories: [...new Set([category, ...(second ? [second] : [])])],
    }
  })
}

/**
 * Loads the sample catalog when the books table is empty (the local stack, SEED_CATALOG=true).
 * Created books are in no cart, so no catalog event is needed; the read model is rebuilt after.
 * Returns how many books it inserted (0: the catalog already had books).
 */
export async function seedCatalog(db: Database, size = 300): Promise<number> {
  return db.transaction(async (tx) => {
    const [existing] = await tx.select({ value: count() }).from(books)
    if ((existing?.value ?? 0) > 0) return 0
    await tx
      .insert(categories)
      .values(sampleCategories.map(([id, name]) => ({ id, name })))
      .onConflictDoNothing()
    const catalog = sampleCatalog(size)
    await tx.insert(books).values(catalog.map(({ categories: _, ...book }) => book))
    await tx
      .insert(bookCategories)
      .values(
        catalog.flatMap((book) => book.categories.map((categoryId) => ({ bookId: book.id, categoryId }))),
      )
    return catalog.length
  })
}
