import { configOrExit, runService } from '@bookstore/service-kit'
import { buildOrderApi } from './build-app'
import { loadOrderApiConfig } from './config'

const config = configOrExit(loadOrderApiConfig)
const app = await buildOrderApi(config)
await runService(app, { host: config.HOST, port: config.PORT })
