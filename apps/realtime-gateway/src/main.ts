import { configOrExit, runService } from '@bookstore/service-kit'
import { buildRealtimeGateway } from './build-app'
import { loadRealtimeGatewayConfig } from './config'

const config = configOrExit(loadRealtimeGatewayConfig)
const app = await buildRealtimeGateway(config)
await runService(app, { host: config.HOST, port: config.PORT })
