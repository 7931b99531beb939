export { cartApi } from './app'
export { buildCartApi } from './build-app'
export { CartApiConfig, loadCartApiConfig } from './config'
