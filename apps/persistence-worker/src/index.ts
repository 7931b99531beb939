export { persistenceWorker } from './app'
export { buildPersistenceWorker } from './build-app'
export { loadPersistenceWorkerConfig, PersistenceWorkerConfig } from './config'
