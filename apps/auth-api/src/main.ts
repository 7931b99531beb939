import { configOrExit, runService } from '@bookstore/service-kit'
import { buildAuthApi } from './build-app'
import { loadAuthApiConfig } from './config'

const config = configOrExit(loadAuthApiConfig)
const app = await buildAuthApi(config)
await runService(app, { host: config.HOST, port: config.PORT })
