import { expect, test, type WebSocketRoute } from '@playwright/test'
import { cartCount, laptop, register, secondDevice } from './helpers'

test.use(laptop)

test('a lost connection shows a quiet "Reconnecting…" and catches up with what changed meanwhile', async ({
  page,
  browser,
}) => {
  // The page's socket goes through this route, so the test can cut it and keep it down.
  let up = true
  const sockets: WebSocketRoute[] = []
  await page.routeWebSocket(/\/ws$/, (ws) => {
    if (!up) {
      void ws.close({ code: 1013, reason: 'try again later' })
      return
    }
    ws.connectToServer()
    sockets.push(ws)
  })
  const email = await register(page)
  await page.goto('/cart')
  const status = page.getByTestId('connection-status')
  await expect(page.locator('main').getByText('Your cart is empty.')).toBeVisible()
  await expect(status).toHaveText('')

  up = false
  for (const socket of sockets.splice(0)) await socket.close({ code: 1001, reason: 'gateway restart' })
  await expect(status).toHaveText('Reconnecting…')

  // Meanwhile, on the other device: the cart changes while this page cannot hear of it.
  const other = await secondDevice(browser, email)
  try {
    await other.page.goto('/books/book-0015')
    await other.page.getByRole('button', { name: 'Add “Neuromancer” to cart' }).click()
    await expect(cartCount(other.page)).toHaveText('1')
    await expect(cartCount(page)).toHaveText('0')

    // Back up: the client says its last version and gets the newer cart; the notice goes.
    up = true
    await expect(page.getByTestId('cart-line-book-0015')).toBeVisible({ timeout: 20_000 })
    await expect(cartCount(page)).toHaveText('1')
    await expect(status).toHaveText('')
  } finally {
    await other.context.close()
  }
})
