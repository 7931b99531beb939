export * from './smtp-sink'
export * from './viewer'
