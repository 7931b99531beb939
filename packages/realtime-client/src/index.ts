export * from './cart-versions'
export * from './order-revisions'
export * from './realtime-client'
