import { expect, type Page, test } from '@playwright/test'
import {
  addToCart,
  admin,
  adminBrowser,
  cartCount,
  documentMark,
  dollars,
  laptop,
  markDocument,
  openCheckout,
  orderNumberOf,
  register,
  screenshot,
} from './helpers'

test.use(laptop)

const orderUrl = /\/orders\/order-[0-9a-f-]+$/
const orderIdOf = (page: Page) => decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '')

test('checkout to a confirmed order whose status then changes live, without a reload', async ({
  page,
  browser,
}) => {
  const staff = await admin(await browser.newContext())
  await staff.setStock('book-0021', 20)
  const book = await staff.book('book-0021')
  await register(page)
  await addToCart(page, book.id, book.title)
  await expect(cartCount(page)).toHaveText('1')

  await openCheckout(page)
  const lines = page.getByTestId('checkout-lines')
  await expect(lines.getByTestId(`line-${book.id}`)).toContainText(book.title)
  await expect(lines.getByTestId('order-lines-total')).toHaveText(dollars(book.priceCents))
  await expect(page.getByTestId('reviewed-version')).toContainText('version ')
  await screenshot(page, 'checkout-desktop')

  const placed = page.waitForResponse((response) => response.url().endsWith('/api/checkout'))
  await page.getByRole('button', { name: 'Place order' }).click()
  const answer = await placed
  expect(answer.status()).toBe(202)
  expect(answer.request().headers()['idempotency-key']).toMatch(/^checkout-[0-9a-f-]{36}$/)
  await expect(page).toHaveURL(orderUrl)
  const orderId = orderIdOf(page)

  // The saga holds the stock, takes the payment and confirms: the page follows without a reload.
  await markDocument(page)
  const status = page.getByTestId('order-status')
  await expect(status).toHaveText('Confirmed', { timeout: 30_000 })
  await expect(page.getByTestId('order-lines')).toContainText(book.title)
  // The purchased line left the cart.
  await expect(cartCount(page)).toHaveText('0')

  // An admin ships it from the admin pages in another browser: the shopper's page says so, still
  // the same document.
  const shop = await adminBrowser(browser)
  await shop.page.goto('/manage/orders?status=confirmed')
  await shop.page.getByRole('button', { name: `Ship order ${orderNumberOf(orderId)}` }).click()
  await expect(shop.page.getByTestId('admin-saved')).toHaveText(
    `Order ${orderNumberOf(orderId)} is shipped now.`,
  )
  await shop.context.close()
  await expect(status).toHaveText('Shipped')
  await expect(page.getByTestId('order-history')).toContainText('Shipped by the shop')
  await expect(page.getByRole('button', { name: 'Cancel the order' })).toHaveCount(0)
  expect(await documentMark(page)).toBe('not reloaded')
  await screenshot(page, 'order-desktop')

  // The history list shows it too.
  await page.getByRole('link', { name: '← Your orders' }).click()
  await expect(page.getByTestId(`order-${orderId}`)).toContainText('Shipped')
  await staff.moveOrder(orderId, 'delivered')
  await expect(page.getByTestId(`order-${orderId}`)).toContainText('Delivered')
})

test('a shopper cancels an order before it ships; a retried checkout of one attempt makes one order', async ({
  page,
  browser,
}) => {
  const staff = await admin(await browser.newContext())
  await staff.setStock('book-0022', 20)
  const book = await staff.book('book-0022')
  await register(page)
  await addToCart(page, book.id, book.title)
  await openCheckout(page)

  // The first answer is lost on the way back (the order is made all the same); the shopper's retry
  // sends the same key, and order-api answers with the same order.
  let lost = false
  await page.route('**/api/checkout', async (route) => {
    if (lost) return route.continue()
    lost = true
    await route.fetch()
    await route.abort('connectionreset')
  })
  const first = page.waitForRequest((request) => request.url().endsWith('/api/checkout'))
  await page.getByRole('button', { name: 'Place order' }).click()
  const firstKey = (await first).headers()['idempotency-key']
  await expect(page.getByTestId('checkout-refusal')).toContainText('No connection to the shop')
  const retried = page.waitForResponse((response) => response.url().endsWith('/api/checkout'))
  await page.getByRole('button', { name: 'Try again' }).click()
  const replayed = await retried
  expect(replayed.request().headers()['idempotency-key']).toBe(firstKey)
  expect(replayed.status()).toBe(200)
  expect(replayed.headers()['idempotent-replayed']).toBe('true')
  await expect(page).toHaveURL(orderUrl)
  const orderId = orderIdOf(page)
  const status = page.getByTestId('order-status')
  await expect(status).toHaveText(/Pending|Confirmed/)

  await page.goto('/orders')
  await expect(page.locator('.order-card')).toHaveCount(1)
  await page.getByRole('link', { name: /^Order / }).click()
  await expect(status).toHaveText('Confirmed', { timeout: 30_000 })
  await page.getByRole('button', { name: 'Cancel the order' }).click()
  await page.getByRole('button', { name: 'Yes, cancel it' }).click()
  await expect(status).toHaveText('Cancelled')
  await expect(page.locator('.order-status')).toContainText('You cancelled it.')
  await expect(page.getByTestId('order-history')).toContainText('Cancelled by you')
  await expect(page.getByRole('button', { name: 'Cancel the order' })).toHaveCount(0)
  expect(orderIdOf(page)).toBe(orderId)
})

/**
 * Where one shopper's checkout ended: an order confirmed or cancelled, a refusal on the page, or
 * (`sold out live`) the page heard that its cart changed, the copy gone, before its order went out.
 */
async function outcome(page: Page): Promise<string> {
  if (await page.getByTestId('checkout-refusal').isVisible()) return 'refused'
  if (
    (await page.getByTestId('checkout-new-cart').isVisible()) &&
    (await page
      .getByRole('button', { name: 'Place order' })
      .isDisabled()
      .catch(() => false))
  )
    return 'sold out live'
  if (!orderUrl.test(page.url())) return 'placing'
  const status = await page
    .getByTestId('order-status')
    .textContent({ timeout: 1_000 })
    .catch(() => '')
  return status === 'Confirmed' ? 'confirmed' : status === 'Cancelled' ? 'cancelled' : 'pending'
}

test('two shoppers race for the last copy in two browsers: one order, the other a clear message', async ({
  browser,
}) => {
  const staff = await admin(await browser.newContext())
  const book = await staff.book('book-0023')
  await staff.setStock(book.id, 1)
  const shoppers = await Promise.all([browser.newContext(laptop), browser.newContext(laptop)])
  try {
    const pages = await Promise.all(shoppers.map((context) => context.newPage()))
    for (const page of pages) {
      await register(page)
      await addToCart(page, book.id, book.title)
      await openCheckout(page)
    }
    // Both place their order at the same moment. A page slower to take the click may already have
    // heard that the other's order held the copy (its cart changed live): it then shows that and
    // takes no order, which is the loser's other clear message (outcome 'sold out live').
    await Promise.all(
      pages.map((page) =>
        page
          .getByRole('button', { name: 'Place order' })
          .click({ timeout: 10_000 })
          .catch(() => undefined),
      ),
    )

    for (const page of pages)
      await expect
        .poll(() => outcome(page), { timeout: 30_000 })
        .toMatch(/^(confirmed|cancelled|refused|sold out live)$/)
    const ends = await Promise.all(pages.map(outcome))
    expect(ends.filter((end) => end === 'confirmed')).toHaveLength(1)
    const loser = pages[ends.findIndex((end) => end !== 'confirmed')]
    if (!loser) throw new Error('no second shopper')
    if (ends.includes('refused') || ends.includes('sold out live')) {
      // Its checkout came after the copy was held: refused before any order was made, either by the
      // read model (out of stock) or because the hold had already marked the cart (a new version);
      // or the page heard of the marked cart before its click and placed nothing.
      if (ends.includes('refused'))
        await expect(loser.getByTestId('checkout-refusal')).toContainText(
          new RegExp(`“${book.title}” is out of stock|Your cart changed`),
        )
      // Either way the page then shows the cart as it is now, the line marked, and asks for a review.
      await expect(loser.getByTestId('checkout-new-cart')).toContainText(
        `${book.title}Out of stock: remove it to check out`,
      )
      await expect(loser.getByRole('button', { name: 'Place order' })).toBeDisabled()
    } else {
      // Both orders were made; book-api held the copy for one, and refused the other's.
      await expect(loser.locator('.order-status')).toContainText(
        'Some books sold out before we could hold them for you. You were not charged.',
      )
      await expect(loser.getByTestId('order-refused')).toContainText(`“${book.title}” sold out.`)
    }
    expect((await staff.book(book.id)).stock).toBe(0)
  } finally {
    await Promise.all(shoppers.map((context) => context.close()))
  }
})
