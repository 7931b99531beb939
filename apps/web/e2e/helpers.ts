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

export async function logIn(page: Page, email: string) {
  await page.goto('/login')
  await page.getByLabel('E-mail address').fill(email)
  await page.getByLabel('Password').fill(PASSWORD)
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
  }
}

/** Money as the shop shows it in en-US. */
export const dollars = (cents: number) =>
  new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(cents / 100)
