/**
 * How long a browser may keep one of the shop's files. Vite names what it builds after its content
 * (`assets/index-B3x9_kQa.js`): such a file never changes, so it is cached for a year and never
 * revalidated. Everything else (index.html above all, which names the current assets) is
 * revalidated on every use, so a new build reaches every browser at once.
 */
const HASHED_NAME = /-[A-Za-z0-9_-]{8,}\.[A-Za-z0-9]+$/

export const immutableCaching = 'public, max-age=31536000, immutable'
export const revalidateCaching = 'no-cache'

export const isHashedAsset = (path: string) => path.startsWith('/assets/') && HASHED_NAME.test(path)

export const cacheControlFor = (path: string) => (isHashedAsset(path) ? immutableCaching : revalidateCaching)

/** `/books/dune` is a page of the shop (index.html); `/favicon.ico` is a file, found or not. */
export const isPagePath = (path: string) => !/\.[^/]*$/.test(path)
