import { runService } from '@bookstore/service-kit'
import { buildCartApi } from './build-app'
import { loadCartApiConfig } from './config'

const config = loadCartApiConfig()
const app = await buildCartApi(config)
await runService(app, { host: config.HOST, port: config.PORT })
