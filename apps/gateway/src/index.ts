export { gateway } from './app'
export { buildGateway } from './build-app'
export { GatewayConfig, loadGatewayConfig, upstreamEnvName } from './config'
export {
  type PublicRoute,
  routeTable,
  type UpstreamName,
  upstreamNames,
  websocketRoute,
} from './domain/route-table'
