import { render, screen } from '@testing-library/react'
import { MemoryRouter, Route, Routes } from 'react-router'
import { describe, expect, it } from 'vitest'
import { adminRefusal } from '../src/admin/admin-refusals'
import { dollarsText, parseDollars } from '../src/admin/dollars'
import { ApiError } from '../src/api/api-error'
import { AdminGuard } from '../src/components/admin-guard'
import { SessionProvider } from '../src/session/session-context'
import { SessionManager } from '../src/session/session-manager'
import type { SessionUser, TabMessage, TabSync } from '../src/session/tab-sync'

describe('prices typed in dollars', () => {
  it('reads the text as cents, never through a float', () => {
    expect(parseDollars('12.99')).toBe(1299)
    expect(parseDollars('0.1')).toBe(10)
    expect(parseDollars('$1,234.05')).toBe(123405)
    expect(parseDollars(' 7 ')).toBe(700)
    expect(parseDollars('4.35')).toBe(435)
    for (const bad of ['', 'twelve', '1.234', '-3', '1,23', '1e3', '2000000'])
      expect(parseDollars(bad)).toBeUndefined()
    expect(dollarsText(1299)).toBe('12.99')
    expect(dollarsText(5)).toBe('0.05')
    expect(parseDollars(dollarsText(435))).toBe(435)
  })
})

describe('admin refusals in words', () => {
  it('says what moved on and what exists already', () => {
    expect(adminRefusal(new ApiError(409, 'ORDER_STATE_CHANGED', 'x', { status: 'cancelled' }))).toBe(
      'The order moved on meanwhile: it is cancelled now. Nothing was changed.',
    )
    expect(adminRefusal(new ApiError(409, 'BOOK_EXISTS', 'x'))).toBe('A book with this id exists already.')
    expect(adminRefusal(new ApiError(404, 'DEAD_LETTER_NOT_FOUND', 'x'))).toMatch(/no longer parked/)
  })
})

/** A session already known to this tab: another tab answers the token request at once. */
function tabWith(user: SessionUser): TabSync {
  const listeners = new Set<(message: TabMessage) => void>()
  return {
    post(message) {
      if (message.type === 'token-request')
        queueMicrotask(() => {
          for (const listener of listeners)
            listener({ type: 'session', accessToken: 'token', expiresAt: Date.now() + 600_000, user })
        })
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    withLock: (_name, task) => task(),
    close() {},
  }
}

function renderGuarded(user: SessionUser) {
  const session = new SessionManager(tabWith(user), { peerWaitMs: 1_000 })
  render(
    <SessionProvider session={session}>
      <MemoryRouter initialEntries={['/manage']}>
        <Routes>
          <Route
            path="/manage"
            element={
              <AdminGuard>
                <h1>Administration</h1>
              </AdminGuard>
            }
          />
        </Routes>
      </MemoryRouter>
    </SessionProvider>,
  )
  return session
}

describe('the admin pages', () => {
  it('tell a customer plainly that they are not allowed', async () => {
    const session = renderGuarded({ id: 'user-1', role: 'customer', email: 'a@example.com' })
    expect(await screen.findByRole('heading', { name: 'Not allowed' })).toBeTruthy()
    expect(screen.queryByRole('heading', { name: 'Administration' })).toBeNull()
    session.close()
  })

  it('open for an admin', async () => {
    const session = renderGuarded({ id: 'user-2', role: 'admin', email: 'b@example.com' })
    expect(await screen.findByRole('heading', { name: 'Administration' })).toBeTruthy()
    session.close()
  })
})
