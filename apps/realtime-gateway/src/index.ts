export { realtimeGateway } from './app'
export { buildRealtimeGateway } from './build-app'
export { loadRealtimeGatewayConfig, RealtimeGatewayConfig } from './config'
