export { bookApi } from './app'
export { buildBookApi } from './build-app'
export { BookApiConfig, loadBookApiConfig } from './config'
export { seedCatalog } from './seed/seed-catalog'
