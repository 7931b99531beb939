import { randomUUID } from 'node:crypto'
import { expect, test } from '@playwright/test'
import {
  addToCart,
  admin,
  adminBrowser,
  dollars,
  laptop,
  newEmail,
  openCheckout,
  register,
  screenshot,
} from './helpers'
import { UNDELIVERABLE_PREFIX } from './stack/e2e-settings'

test.use(laptop)

test('the admin pages are for admins only: a shopper is told so, a visitor is asked to log in', async ({
  page,
}) => {
  await page.goto('/manage/orders')
  await expect(page.getByRole('link', { name: 'Log in' }).first()).toBeVisible()
  await expect(page.locator('main')).toContainText("with an administrator's account")
  await register(page)
  await page.goto('/manage/orders')
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Not allowed')
  await expect(page.getByRole('navigation', { name: 'Administration' })).toHaveCount(0)
  await expect(page.getByRole('link', { name: 'Admin', exact: true })).toHaveCount(0)
})

test('an admin adds a book, changes its price and stock, and deletes it; the shop follows', async ({
  browser,
}) => {
  const { context, page } = await adminBrowser(browser)
  try {
    const title = `E2E Book ${randomUUID().slice(0, 6)}`
    await page.getByRole('link', { name: 'Admin', exact: true }).click()
    await page
      .getByRole('navigation', { name: 'Administration' })
      .getByRole('link', { name: 'Books' })
      .click()
    await page.getByRole('link', { name: 'Add a book' }).click()

    // A form with a bad price says so on the field, and sends nothing.
    await page.getByLabel('Title').fill(title)
    await page.getByLabel('Author').fill('Ada Tester')
    await page.getByLabel('Price (USD)').fill('twelve')
    await page.getByRole('button', { name: 'Add the book' }).click()
    await expect(page.getByLabel('Price (USD)')).toBeFocused()
    await expect(page.getByText('Enter a price in dollars, e.g. 12.99.')).toBeVisible()

    await page.getByLabel('Price (USD)').fill('12.34')
    await page.getByLabel('Copies in stock').fill('3')
    await page.getByLabel('Science Fiction').check()
    await page.getByRole('button', { name: 'Add the book' }).click()
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(title)
    await expect(page.getByTestId('admin-saved')).toHaveText('Book added.')
    await expect(page.locator('main')).toContainText(`${dollars(1234)}, 3 in stock.`)
    const bookId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '')
    await screenshot(page, 'admin-book-desktop')

    await page.getByLabel('Price (USD)').fill('9.99')
    await page.getByRole('button', { name: 'Save changes' }).click()
    await expect(page.getByTestId('admin-saved')).toHaveText('Changes saved.')
    await page.getByLabel('Copies left to sell').fill('7')
    await page.getByRole('button', { name: 'Set stock' }).click()
    await expect(page.getByTestId('admin-saved')).toHaveText('Stock set to 7.')
    await expect(page.locator('main')).toContainText(`${dollars(999)}, 7 in stock.`)

    // The shop shows the change.
    const shop = await browser.newPage()
    await shop.goto(`/books/${bookId}`)
    await expect(shop.locator('.book-price')).toHaveText(dollars(999))
    await expect(shop.getByText('In stock')).toBeVisible()

    await page.getByRole('button', { name: 'Delete this book' }).click()
    await page.getByRole('button', { name: 'Yes, delete it' }).click()
    await expect(page).toHaveURL(/\/manage\/books$/)
    await shop.reload()
    await expect(shop.getByRole('heading', { level: 1 })).toHaveText('Book not found')
    await shop.close()
  } finally {
    await context.close()
  }
})

test('an e-mail that could not be sent is parked; the admin replays it (parked again) and discards it', async ({
  page,
  browser,
}) => {
  const staff = await admin(await browser.newContext())
  await staff.setStock('book-0024', 20)
  const book = await staff.book('book-0024')
  // The stack's SMTP sink refuses this address for good: the confirmation e-mail is parked.
  const email = await register(page, newEmail(`${UNDELIVERABLE_PREFIX}shopper`))
  await addToCart(page, book.id, book.title)
  await openCheckout(page)
  await page.getByRole('button', { name: 'Place order' }).click()
  await expect(page.getByTestId('order-status')).toHaveText('Confirmed', { timeout: 30_000 })

  const shop = await adminBrowser(browser)
  try {
    await shop.page.goto('/manage/dead-letters')
    const section = shop.page.getByTestId('dead-letters-email')
    const parked = section.locator('.dead-letter', { hasText: email })
    const refresh = section.getByRole('button', { name: 'Refresh' })
    await expect(async () => {
      await refresh.click()
      await expect(parked).toHaveCount(1, { timeout: 1_000 })
    }).toPass({ timeout: 30_000 })
    await expect(parked).toContainText('order-confirmed')
    await expect(shop.page.getByTestId('dead-letters-persistence')).toBeVisible()
    await screenshot(shop.page, 'admin-dead-letters-desktop')

    await parked.getByRole('button', { name: /^Replay/ }).click()
    const status = section.getByRole('status')
    await expect(status).toContainText('Replayed “order-confirmed')
    const replayedAs = /\(job (\S+) on /.exec((await status.textContent()) ?? '')?.[1]
    expect(replayedAs).toBeTruthy()
    // Sent again, refused again: parked again under the replayed job's id.
    const again = section.locator(`[data-testid$="-${replayedAs}"]`, { hasText: email })
    await expect(async () => {
      await refresh.click()
      await expect(again).toHaveCount(1, { timeout: 1_000 })
    }).toPass({ timeout: 30_000 })

    await again.getByRole('button', { name: /^Discard/ }).click()
    await again.getByRole('button', { name: 'Yes, discard it' }).click()
    await expect(status).toContainText('Discarded')
    await expect(again).toHaveCount(0)
  } finally {
    await shop.context.close()
  }
})

test('the admin opens Swagger UI and Bull Board through the admin session', async ({ browser }) => {
  const { context, page } = await adminBrowser(browser)
  try {
    await page.goto('/manage')
    for (const [name, path] of [
      ['Open Bull Board', '/admin/queues'],
      ['Open Swagger UI', '/api/docs'],
    ] as const) {
      const opened = page.waitForEvent('popup')
      await page.getByRole('link', { name }).click()
      const tab = await opened
      await tab.waitForLoadState()
      // Without the admin cookie the gateway would have sent the browser to the log-in page.
      expect(new URL(tab.url()).pathname.startsWith(path)).toBe(true)
      await tab.close()
    }
    await screenshot(page, 'admin-desktop')
  } finally {
    await context.close()
  }
})
