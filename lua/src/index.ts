export * from './cart-hydrate'
export * from './cart-scripts'
export * from './catalog-scripts'
export * from './redis-script'
