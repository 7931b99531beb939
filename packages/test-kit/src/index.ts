export * from './books'
export * from './ids'
export * from './private-redis'
export * from './tokens'
