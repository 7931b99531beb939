import { configOrExit, runService } from '@bookstore/service-kit'
import { buildScheduler } from './build-app'
import { loadSchedulerConfig } from './config'

const config = configOrExit(loadSchedulerConfig)
const app = await buildScheduler(config)
await runService(app, { host: config.HOST, port: config.PORT })
