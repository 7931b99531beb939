export * from './cart-versions'
export * from './realtime-client'
