import { randomUUID } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import {
  type APIRequestContext,
  type Browser,
  type BrowserContext,
  expect,
  type Page,
} from '@playwright/test'
import { E2E_ADMIN } from './stack/e2e-settings'

export const PASSWORD = 'correct horse battery staple'
export const newEmail = (who = 'shopper') => `${who}-${randomUUID().slice(0, 8)}@e2e.example`

/** A phone: its width, touch, and its own cookie jar (another device of the same shopper). */
export const phone = {
  viewport: { width: 390, height: 844 },
  isMobile: true,
  hasTouch: true,
  locale: 'en-US',
}
export const laptop = { viewport: { width: 1280, height: 800 }, locale: 'en-US' }

const screenshotDir = 'test-results/screenshots'
export async function screenshot(page: Page, name: string) {
  mkdirSync(screenshotDir, { recursive: true })
  await page.screenshot({ path: `${screenshotDir}/${name}.png`, fullPage: true })
}

export async function register(page: Page, email = newEmail()) {
  await page.goto('/register')
  await page.getByLabel('E-mail address').fill(email)
  await page.getByLabel('Password').fill(PASSWORD)
  await page.getByRole('button', { name: 'Create account' }).click()
  await expect(page.getByTestId('account-link')).toHaveText(email)
  return email
}

export async function logIn(page: Page, email: string, password = PASSWORD) {
  await page.goto('/login')
  await page.getByLabel('E-mail address').fill(email)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Log in' }).click()
  await expect(page.getByTestId('account-link')).toHaveText(email)
}

/** A shopper's second device: a new browser context (own cookies), logged in as the same account. */
export async function secondDevice(browser: Browser, email: string, options = phone) {
  const context = await browser.newContext(options)
  const page = await context.newPage()
  await logIn(page, email)
  return { context, page }
}

export const cartCount = (page: Page) => page.getByTestId('cart-count')

/** The admin's session (body mode, as any API client), for catalog changes from a third context. */
export async function admin(context: BrowserContext | APIRequestContext) {
  const request = 'request' in context ? context.request : context
  const login = await request.post('/api/auth/login', { data: E2E_ADMIN })
  expect(login.status()).toBe(200)
  const { accessToken } = (await login.json()) as { accessToken: string }
  const headers = { authorization: `Bearer ${accessToken}` }
  return {
    async book(bookId: string) {
      const answer = await request.get(`/api/books/${bookId}`)
      expect(answer.status()).toBe(200)
      return (await answer.json()) as { id: string; title: string; priceCents: number; stock: number }
    },
    async setPrice(bookId: string, priceCents: number) {
      const answer = await request.patch(`/api/admin/books/${bookId}`, {
        headers,
        data: { priceCents },
      })
      expect(answer.status()).toBe(200)
    },
    async setStock(bookId: string, stock: number) {
      const answer = await request.put(`/api/admin/books/${bookId}/stock`, { headers, data: { stock } })
      expect(answer.status()).toBe(200)
    },
    async moveOrder(orderId: string, status: 'shipped' | 'delivered' | 'cancelled') {
      const answer = await request.post(`/api/admin/orders/${orderId}/status`, { headers, data: { status } })
      expect(answer.status()).toBe(200)
    },
  }
}

/** Adds one copy from the book's page and waits for cart-api's answer. */
export async function addToCart(page: Page, bookId: string, title: string) {
  await page.goto(`/books/${bookId}`)
  const added = page.waitForResponse((response) => response.url().endsWith('/api/cart/items'))
  await page.getByRole('button', { name: `Add “${title}” to cart` }).click()
  expect((await added).status()).toBe(200)
}

/** The test card of the fake payment form (nothing typed there leaves the browser). */
export async function fillTestCard(page: Page) {
  await page.getByLabel('Name on the card').fill('Ada Lovelace')
  await page.getByLabel('Card number').fill('4242 4242 4242 4242')
  await page.getByLabel('Expiry (MM/YY)').fill('12/39')
  await page.getByLabel('Security code').fill('123')
}

/** From the cart to the checkout page, with the card filled in. */
export async function openCheckout(page: Page) {
  await page.goto('/cart')
  await page.getByRole('link', { name: 'Check out' }).click()
  await expect(page.getByRole('heading', { level: 1, name: 'Checkout' })).toBeVisible()
  await fillTestCard(page)
}

/** Marks the page's document: still marked later means it was never reloaded. */
export async function markDocument(page: Page) {
  await page.evaluate(() => Object.assign(window, { e2eMark: 'not reloaded' }))
}
export const documentMark = (page: Page) =>
  page.evaluate(() => (window as unknown as { e2eMark?: string }).e2eMark)

/** Money as the shop shows it in en-US. */
export const dollars = (cents: number) =>
  new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(cents / 100)

/** The admin in a browser of their own (own cookies), logged in through the shop's log-in page. */
export async function adminBrowser(browser: Browser, options = laptop) {
  const context = await browser.newContext(options)
  const page = await context.newPage()
  await logIn(page, E2E_ADMIN.email, E2E_ADMIN.password)
  return { context, page }
}

/** Short order number as the shop shows it ("Order 1A2B3C4D"). */
export const orderNumberOf = (orderId: string) =>
  orderId
    .replace(/^order-/, '')
    .slice(0, 8)
    .toUpperCase()
