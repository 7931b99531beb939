import { expect, type Page, test } from '@playwright/test'
import { addToCart, admin, adminBrowser, laptop, openCheckout, phone, register, screenshot } from './helpers'

/** No horizontal scrolling: the page fits its viewport (phone width included). */
async function fits(page: Page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  expect(overflow).toBeLessThanOrEqual(0)
}

async function shot(page: Page, name: string) {
  await fits(page)
  await screenshot(page, name)
}

for (const [width, device] of [
  ['desktop', laptop],
  ['phone', phone],
] as const) {
  test.describe(`the main pages at ${width} width`, () => {
    test.use(device)

    test(`catalog, book, cart, checkout, order, orders and admin fit the width (${width})`, async ({
      page,
      browser,
    }) => {
      const staff = await admin(await browser.newContext())
      await staff.setStock('book-0025', 20)
      await staff.setStock('book-0026', 20)
      const first = await staff.book('book-0025')
      const second = await staff.book('book-0026')
      await register(page)

      await page.goto('/')
      await expect(page.locator('.book-card').first()).toBeVisible()
      await shot(page, `catalog-${width}`)
      await addToCart(page, second.id, second.title)
      await addToCart(page, first.id, first.title)
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(first.title)
      await shot(page, `book-${width}`)

      await page.goto('/cart')
      await expect(page.getByTestId(`cart-line-${first.id}`)).toBeVisible()
      await shot(page, `cart-${width}`)

      await openCheckout(page)
      await expect(page.getByTestId('checkout-lines')).toContainText(second.title)
      await shot(page, `checkout-${width}`)
      await page.getByRole('button', { name: 'Place order' }).click()
      await expect(page.getByTestId('order-status')).toHaveText('Confirmed', { timeout: 30_000 })
      await expect(page.getByTestId('order-history')).toContainText('Confirmed')
      await shot(page, `order-${width}`)
      await page.goto('/orders')
      await expect(page.locator('.order-card').first()).toBeVisible()
      await shot(page, `orders-${width}`)

      const shop = await adminBrowser(browser, device)
      try {
        await shop.page.goto('/manage/orders?status=confirmed')
        await expect(shop.page.locator('.admin-table')).toBeVisible()
        await shot(shop.page, `admin-orders-${width}`)
        await shop.page.goto(`/manage/books/${first.id}`)
        await expect(shop.page.getByRole('heading', { level: 1 })).toHaveText(first.title)
        await shot(shop.page, `admin-book-${width}`)
        await shop.page.goto('/manage/dead-letters')
        await expect(shop.page.getByTestId('dead-letters-persistence')).toContainText(/Nothing parked|Replay/)
        await shot(shop.page, `admin-dead-letters-${width}`)
      } finally {
        await shop.context.close()
      }
    })
  })
}
