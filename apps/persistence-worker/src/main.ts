import { configOrExit, runService } from '@bookstore/service-kit'
import { buildPersistenceWorker } from './build-app'
import { loadPersistenceWorkerConfig } from './config'

const config = configOrExit(loadPersistenceWorkerConfig)
const app = await buildPersistenceWorker(config)
await runService(app, { host: config.HOST, port: config.PORT })
