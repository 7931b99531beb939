import { configOrExit, runService } from '@bookstore/service-kit'
import { buildMailWorker } from './build-app'
import { loadMailWorkerConfig } from './config'

const config = configOrExit(loadMailWorkerConfig)
const app = await buildMailWorker(config)
await runService(app, { host: config.HOST, port: config.PORT })
