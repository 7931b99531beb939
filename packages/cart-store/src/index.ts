export * from './cart-rows'
export * from './durable-carts'
export * from './read-carts'
export * from './restore-cart'
