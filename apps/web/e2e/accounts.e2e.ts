import { expect, test } from '@playwright/test'
import { laptop, logIn, newEmail, PASSWORD, register, screenshot } from './helpers'

test.use(laptop)

test('register, log in, reload (still logged in), a second tab shares the session, log out', async ({
  page,
  context,
}) => {
  await page.goto('/register')
  await screenshot(page, 'register-desktop')
  const email = await register(page)

  // The access token is in memory only: a reload gets a new one with the httpOnly refresh cookie.
  await page.reload()
  await expect(page.getByTestId('account-link')).toHaveText(email)
  const cookies = await context.cookies()
  const refresh = cookies.find((cookie) => cookie.name === 'bookstore_refresh')
  expect(refresh).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/api/auth/session' })
  expect(await page.evaluate(() => document.cookie)).not.toContain('bookstore_refresh')

  // A second tab of the same browser is logged in without logging in, and both stay logged in
  // (one refresh at a time: two at once would look like a stolen token and end the session).
  const second = await context.newPage()
  await second.goto('/account')
  await expect(second.getByTestId('account-email')).toHaveText(email)
  await Promise.all([page.reload(), second.reload()])
  await expect(page.getByTestId('account-link')).toHaveText(email)
  await expect(second.getByTestId('account-link')).toHaveText(email)

  // Log out in one tab: the other follows, and a reload stays logged out.
  await page.getByRole('button', { name: 'Log out' }).click()
  await expect(
    page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Log in' }),
  ).toBeVisible()
  await expect(
    second.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Log in' }),
  ).toBeVisible()
  await second.reload()
  await expect(
    second.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Log in' }),
  ).toBeVisible()

  await logIn(page, email)
  await expect(page.getByRole('heading', { level: 1, name: 'Books' })).toBeVisible()
})

test('says what is wrong with a log-in or a registration, on the field it concerns', async ({ page }) => {
  const email = await register(page)
  await page.getByRole('button', { name: 'Log out' }).click()
  await page.goto('/login')
  await page.getByLabel('E-mail address').fill(email)
  await page.getByLabel('Password').fill('not the password at all')
  await page.getByRole('button', { name: 'Log in' }).click()
  await expect(page.getByRole('alert')).toHaveText('The e-mail address or the password is wrong.')
  await screenshot(page, 'login-error-desktop')

  await page.goto('/register')
  await page.getByLabel('E-mail address').fill(email)
  await page.getByLabel('Password').fill(PASSWORD)
  await page.getByRole('button', { name: 'Create account' }).click()
  await expect(page.getByText('An account with this e-mail address exists already.')).toBeVisible()
  await expect(page.getByLabel('E-mail address')).toHaveAttribute('aria-invalid', 'true')

  await page.getByLabel('E-mail address').fill(newEmail())
  await page.getByLabel('Password').fill('short')
  await page.getByRole('button', { name: 'Create account' }).click()
  await expect(page.getByText('The password needs at least 12 characters.')).toBeVisible()
})

test('after logging in, goes back to where the shopper was, never to another site', async ({ page }) => {
  const email = await register(page)
  await page.getByRole('button', { name: 'Log out' }).click()
  await page.goto('/books/book-0012')
  await page.getByRole('link', { name: 'Log in to buy' }).click()
  await expect(page).toHaveURL(/\/login\?next=%2Fbooks%2Fbook-0012$/)
  await page.getByLabel('E-mail address').fill(email)
  await page.getByLabel('Password').fill(PASSWORD)
  await page.getByRole('button', { name: 'Log in' }).click()
  await expect(page).toHaveURL(/\/books\/book-0012$/)
  await expect(page.getByRole('button', { name: /Add “Dune” to cart/ })).toBeVisible()

  await page.getByRole('button', { name: 'Log out' }).click()
  await page.goto(`/login?next=${encodeURIComponent('//evil.example/steal')}`)
  await page.getByLabel('E-mail address').fill(email)
  await page.getByLabel('Password').fill(PASSWORD)
  await page.getByRole('button', { name: 'Log in' }).click()
  await expect(page).toHaveURL(/127\.0\.0\.1:\d+\/$/)
})
