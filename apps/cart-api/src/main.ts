import { configOrExit, runService } from '@bookstore/service-kit'
import { buildCartApi } from './build-app'
import { loadCartApiConfig } from './config'

const config = configOrExit(loadCartApiConfig)
const app = await buildCartApi(config)
await runService(app, { host: config.HOST, port: config.PORT })
