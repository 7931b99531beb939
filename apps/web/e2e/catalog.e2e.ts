import { expect, test } from '@playwright/test'
import { laptop, phone, screenshot } from './helpers'

test.describe('catalog on a laptop', () => {
  test.use(laptop)

  test('search, filters, sort and pages live in the URL; back and forward walk through them', async ({
    page,
  }) => {
    await page.goto('/')
    await expect(page.getByRole('heading', { level: 2, name: /^300 books, page 1 of \d+$/ })).toBeVisible()
    await screenshot(page, 'catalog-desktop')

    await page.getByLabel('Search').fill('dune')
    await page.getByRole('button', { name: 'Search' }).click()
    await expect(page).toHaveURL(/\?q=dune&sort=relevance$/)
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Books matching “dune”')
    await expect(page.getByRole('link', { name: 'Dune', exact: true })).toBeVisible()

    await page.getByLabel('Search').fill('')
    await page.getByRole('button', { name: 'Search' }).click()
    await page.getByLabel('Category').selectOption('science-fiction')
    await expect(page).toHaveURL(/category=science-fiction/)
    await page.getByLabel('In stock only').check()
    await expect(page).toHaveURL(/category=science-fiction&inStock=1/)
    await page.getByLabel('Sort by').selectOption('price-desc')
    await expect(page).toHaveURL(/sort=price-desc/)
    const prices = await page.locator('.book-card-price').allTextContents()
    const cents = prices.map((price) => Math.round(Number(price.replace(/[^0-9.]/g, '')) * 100))
    expect(cents.length).toBeGreaterThan(1)
    expect([...cents].sort((a, b) => b - a)).toEqual(cents)

    await page.getByLabel('Author').fill('le guin')
    await page.getByRole('button', { name: 'Search' }).click()
    await expect(page.getByRole('link', { name: 'The Left Hand of Darkness' })).toBeVisible()
    await expect(page.locator('.book-card')).toHaveCount(1)

    // Back: the author filter goes, the fields follow the URL; forward brings it again.
    await page.goBack()
    await expect(page.getByLabel('Author')).toHaveValue('')
    await expect(page.getByLabel('Sort by')).toHaveValue('price-desc')
    await page.goForward()
    await expect(page.getByLabel('Author')).toHaveValue('le guin')
    await expect(page.locator('.book-card')).toHaveCount(1)
  })

  test('pages through the catalog with links, and back returns to the previous page', async ({ page }) => {
    await page.goto('/')
    const firstTitle = await page.locator('.book-card-title').first().textContent()
    await page.getByRole('link', { name: 'Next' }).click()
    await expect(page).toHaveURL(/\?page=2$/)
    await expect(page.getByRole('link', { name: 'Page 2' })).toHaveAttribute('aria-current', 'page')
    await expect(page.locator('.book-card-title').first()).not.toHaveText(firstTitle ?? '')
    await page.goBack()
    await expect(page.locator('.book-card-title').first()).toHaveText(firstTitle ?? '')
  })

  test('a book page, and one that does not exist', async ({ page }) => {
    await page.goto('/?q=hobbit')
    await page.getByRole('link', { name: 'The Hobbit' }).click()
    await expect(page).toHaveURL(/\/books\/book-0016$/)
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('The Hobbit')
    // Focus moved to the new page (keyboard and screen-reader users start reading there).
    await expect(page.locator('main')).toBeFocused()
    await expect(page.getByText('by J. R. R. Tolkien', { exact: true })).toBeVisible()
    await screenshot(page, 'book-desktop')
    await page.goto('/books/book-9999')
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Book not found')
  })

  test('an empty result says so and offers the whole catalog', async ({ page }) => {
    await page.goto('/?q=zzzzqqqqxxxx')
    await expect(page.getByText('No books match this search.')).toBeVisible()
    await page.getByRole('link', { name: 'Show all books' }).click()
    await expect(page.getByRole('heading', { level: 2, name: /^300 books/ })).toBeVisible()
  })
})

test.describe('catalog on a phone', () => {
  test.use(phone)

  test('fits the width and is usable with the keyboard', async ({ page }) => {
    await page.goto('/')
    await expect(page.locator('.book-card').first()).toBeVisible()
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    expect(overflow).toBeLessThanOrEqual(0)
    await screenshot(page, 'catalog-phone')
    // The first Tab reaches the skip link, which takes focus past the header.
    await page.keyboard.press('Tab')
    await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused()
    await page.keyboard.press('Enter')
    await expect(page.locator('main')).toBeFocused()
  })
})
