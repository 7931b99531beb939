import { configOrExit, runService } from '@bookstore/service-kit'
import { buildBookApi } from './build-app'
import { loadBookApiConfig } from './config'

const config = configOrExit(loadBookApiConfig)
const app = await buildBookApi(config)
await runService(app, { host: config.HOST, port: config.PORT })
