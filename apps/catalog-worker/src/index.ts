export { catalogWorker } from './app'
export { buildCatalogWorker } from './build-app'
export { CatalogWorkerConfig, loadCatalogWorkerConfig } from './config'
