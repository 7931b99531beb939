export { orderApi } from './app'
export { buildOrderApi } from './build-app'
export { loadOrderApiConfig, OrderApiConfig } from './config'
export {
  type FakePaymentRecord,
  fakePaymentKey,
  readFakePayment,
} from './domain/payments/fake-payment-provider'
