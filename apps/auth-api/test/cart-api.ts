import { startStack } from '@bookstore/test-kit'

/** cart-api as the local stack runs it, trusting the given public key(s) (PEM text). */
export async function startCartApi(publicKeyPem: string) {
  const stack = await startStack({ apps: [{ name: 'cart-api', env: { JWT_PUBLIC_KEY: publicKeyPem } }] })
  const { app } = stack.instance('cart-api')
  const bearer = (accessToken: string) => ({ authorization: `Bearer ${accessToken}` })
  return {
    ...stack,
    app,
    getCart: (accessToken: string) =>
      app.inject({ method: 'GET', url: '/cart', headers: bearer(accessToken) }),
    addItem: (accessToken: string, bookId: string, quantity = 1) =>
      app.inject({
        method: 'POST',
        url: '/cart/items',
        headers: bearer(accessToken),
        payload: { bookId, quantity },
      }),
  }
}
