import { configOrExit, runService } from '@bookstore/service-kit'
import { buildGateway } from './build-app'
import { loadGatewayConfig } from './config'

const config = configOrExit(loadGatewayConfig)
const app = await buildGateway(config)
await runService(app, { host: config.HOST, port: config.PORT })
