import { bookCartsPruneScript } from './book-carts-prune'
import { catalogPropagateScript } from './catalog-propagate'
import type { RedisClient } from './redis-script'

/** Catalog propagation (SPEC B3-B5): one script per cart, one per book's cart index. */
export const catalogScripts = {
  propagate: catalogPropagateScript,
  pruneBookCarts: bookCartsPruneScript,
}

export async function loadCatalogScripts(redis: RedisClient): Promise<void> {
  await Promise.all(Object.values(catalogScripts).map((script) => script.load(redis)))
}
