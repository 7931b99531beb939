export * from './cart-scripts'
export * from './redis-script'
