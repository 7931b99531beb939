export { mailWorker } from './app'
export { buildMailWorker } from './build-app'
export { loadMailWorkerConfig, MailWorkerConfig } from './config'
export { renderAbandonedCart, renderEmail, renderOpsAlert } from './templates'
