import { configOrExit, runService } from '@bookstore/service-kit'
import { buildCatalogWorker } from './build-app'
import { loadCatalogWorkerConfig } from './config'

const config = configOrExit(loadCatalogWorkerConfig)
const app = await buildCatalogWorker(config)
await runService(app, { host: config.HOST, port: config.PORT })
