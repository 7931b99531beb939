import { expect, test } from '@playwright/test'
import { admin, cartCount, dollars, laptop, register, screenshot, secondDevice } from './helpers'

test.use(laptop)

test('a change on the laptop shows on the phone within 1 s, and back; an admin price change shows as a notice', async ({
  page,
  browser,
}) => {
  const email = await register(page)
  const phone = await secondDevice(browser, email)
  const staff = await admin(await browser.newContext())
  try {
    await phone.page.goto('/cart')
    await expect(phone.page.locator('main').getByText('Your cart is empty.')).toBeVisible()

    // Laptop adds; the phone shows it without a reload, within a second of cart-api's answer.
    await page.goto('/books/book-0013')
    const added = page.waitForResponse((response) => response.url().endsWith('/api/cart/items'))
    await page.getByRole('button', { name: 'Add “Foundation” to cart' }).click()
    expect((await added).status()).toBe(200)
    await expect(phone.page.getByTestId('cart-line-book-0013')).toBeVisible({ timeout: 1_000 })
    await expect(cartCount(phone.page)).toHaveText('1', { timeout: 1_000 })

    // The phone raises the quantity; the laptop follows.
    const raised = phone.page.waitForResponse((response) => response.url().includes('/api/cart/items/'))
    await phone.page.getByRole('button', { name: 'One more “Foundation”' }).click()
    expect((await raised).status()).toBe(200)
    await expect(cartCount(page)).toHaveText('2', { timeout: 1_000 })

    // An admin changes the price (a third context): both devices' carts say so, where it happened.
    const book = await staff.book('book-0013')
    const newPrice = book.priceCents - 500
    await staff.setPrice('book-0013', newPrice)
    const change = `The price of “Foundation” changed from ${dollars(book.priceCents)} to ${dollars(newPrice)}.`
    await expect(phone.page.getByTestId('cart-notice')).toContainText(change)
    await expect(phone.page.getByTestId('cart-line-book-0013')).toContainText(
      `Price changed from ${dollars(book.priceCents)} to ${dollars(newPrice)}`,
    )
    await expect(phone.page.getByTestId('cart-total')).toHaveText(`Total ${dollars(newPrice * 2)}`)
    await page.goto('/cart')
    await expect(page.getByTestId('cart-total')).toHaveText(`Total ${dollars(newPrice * 2)}`)
    await screenshot(phone.page, 'cart-notice-phone')
    await phone.page.getByRole('button', { name: 'Dismiss this notice' }).click()
    await expect(phone.page.getByTestId('cart-notice')).toHaveCount(0)

    // Remove on the laptop; the phone's cart empties.
    await page.getByRole('button', { name: 'Remove “Foundation” from the cart' }).click()
    await expect(phone.page.locator('main').getByText('Your cart is empty.')).toBeVisible({ timeout: 1_000 })
    await expect(cartCount(phone.page)).toHaveText('0')
  } finally {
    await phone.context.close()
  }
})

test('a refused add (out of stock) is shown and rolled back', async ({ page, browser }) => {
  await register(page)
  const staff = await admin(await browser.newContext())
  await staff.setStock('book-0014', 5)
  await page.goto('/books/book-0014')
  await page.getByRole('button', { name: 'Add “The Left Hand of Darkness” to cart' }).click()
  await expect(cartCount(page)).toHaveText('1')

  // Meanwhile one copy is left; the page still shows the stock it loaded.
  await staff.setStock('book-0014', 1)
  const refused = page.waitForResponse((response) => response.url().endsWith('/api/cart/items'))
  await page.getByRole('button', { name: 'Add “The Left Hand of Darkness” to cart' }).click()
  expect((await refused).status()).toBe(409)
  await expect(page.getByTestId('cart-refusal')).toContainText(
    'Only 1 of “The Left Hand of Darkness” left in stock',
  )
  await expect(cartCount(page)).toHaveText('1')
  await page.goto('/cart')
  await expect(
    page.getByTestId('cart-line-book-0014').getByLabel('Quantity of “The Left Hand of Darkness”'),
  ).toHaveValue('1')
  await screenshot(page, 'cart-desktop')
})
