export { authApi } from './app'
export { buildAuthApi } from './build-app'
export { AuthApiConfig, loadAuthApiConfig } from './config'
