import { Account, CookieSessionResponse, CSRF_HEADER } from '@bookstore/events'
import { ApiError, isApiError } from '../api/api-error'
import { apiPaths } from '../api/api-paths'
import { requestJson, requestNoContent } from '../api/http'
import type { SessionUser, TabMessage, TabSync } from './tab-sync'

export type SessionState =
  /** Not known yet: the first refresh (or another tab's answer) is under way. */
  { status: 'starting' } | { status: 'anonymous' } | { status: 'authenticated'; user: SessionUser }

export interface SessionSettings {
  /** How long a new tab waits for another tab's token before it refreshes itself. */
  peerWaitMs: number
  /** Refresh this long before the access token expires (at most a fifth of its lifetime). */
  refreshAheadMs: number
  /** After a failed silent refresh (network), try again after this long. */
  retryMs: number
}

const defaults: SessionSettings = { peerWaitMs: 150, refreshAheadMs: 60_000, retryMs: 5_000 }
const REFRESH_LOCK = 'bookstore-refresh'
const csrf = { [CSRF_HEADER]: 'bookstore-web' }

interface HeldToken {
  value: string
  expiresAt: number
}

/**
 * The shopper's session in one tab (SPEC W1, A1): the access token in memory only, the refresh
 * token in auth-api's httpOnly cookie (cookie mode), a silent refresh before expiry, and one session
 * for every tab: tabs hand each other current tokens and refresh one at a time (TabSync).
 * No React here: the provider subscribes to it.
 */
export class SessionManager {
  #state: SessionState = { status: 'starting' }
  #token: HeldToken | undefined
  #timer: ReturnType<typeof setTimeout> | undefined
  #refreshing: Promise<string | undefined> | undefined
  #listeners = new Set<(state: SessionState) => void>()
  #unsubscribe: () => void
  #settings: SessionSettings
  #closed = false
  /** Counts every change of the session (log-in, log-out, a token taken): a refresh answer that
   * comes back after one was sent for a session that no longer is, and is dropped. */
  #changes = 0

  constructor(
    private readonly tabs: TabSync,
    settings: Partial<SessionSettings> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.#settings = { ...defaults, ...settings }
    this.#unsubscribe = tabs.subscribe((message) => this.#onTabMessage(message))
  }

  get state(): SessionState {
    return this.#state
  }

  subscribe(listener: (state: SessionState) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** On page load: another tab's current token, else a refresh with the cookie, else anonymous. */
  async start(): Promise<void> {
    const fromPeer = new Promise<boolean>((resolve) => {
      const done = (answered: boolean) => {
        stop()
        clearTimeout(timer)
        resolve(answered)
      }
      const stop = this.subscribe((state) => {
        if (state.status === 'authenticated') done(true)
      })
      const timer = setTimeout(() => done(false), this.#settings.peerWaitMs)
    })
    this.tabs.post({ type: 'token-request' })
    if (await fromPeer) return
    await this.refresh()
  }

  async login(email: string, password: string): Promise<SessionUser> {
    const session = await requestJson(CookieSessionResponse, apiPaths.auth.login, {
      method: 'POST',
      body: { email, password },
    })
    return this.#adopt(session.accessToken, session.expiresIn, session.user, true)
  }

  /** Creates the account, then logs in with it. */
  async register(email: string, password: string): Promise<SessionUser> {
    await requestJson(Account, apiPaths.auth.register, { method: 'POST', body: { email, password } })
    return this.login(email, password)
  }

  /** Ends the session for every tab; the local state goes even when auth-api cannot be reached. */
  async logout(): Promise<void> {
    try {
      await requestNoContent(apiPaths.auth.logout, { method: 'POST', headers: csrf })
    } finally {
      this.#clear()
      this.tabs.post({ type: 'logout' })
    }
  }

  /**
   * A current access token, refreshed first if it is about to expire; undefined when not logged in.
   * Every authenticated request and socket gets its token here.
   */
  async accessToken(): Promise<string | undefined> {
    const token = this.#token
    if (token && token.expiresAt - this.now() > 10_000) return token.value
    if (this.#state.status === 'anonymous') return undefined
    return this.refresh()
  }

  /** The token was refused (expired early, key rotated): drop it and get a new one. */
  async tokenRefused(refused: string): Promise<string | undefined> {
    if (this.#token?.value === refused) this.#token = undefined
    return this.accessToken()
  }

  /** One refresh per tab at a time, and one per browser at a time (the lock). */
  refresh(): Promise<string | undefined> {
    this.#refreshing ??= this.#refreshUnderLock().finally(() => {
      this.#refreshing = undefined
    })
    return this.#refreshing
  }

  async #refreshUnderLock(): Promise<string | undefined> {
    return this.tabs.withLock(REFRESH_LOCK, async () => {
      // While this tab waited for the lock, another one may have refreshed and said so.
      const held = this.#token
      if (held && held.expiresAt - this.now() > this.#aheadMs(held)) return held.value
      // A log-in or log-out while the refresh is on its way wins: the refresh was sent with the
      // cookie of before (none, or the old session), and its answer says nothing of the new state.
      const changes = this.#changes
      try {
        const session = await requestJson(CookieSessionResponse, apiPaths.auth.refresh, {
          method: 'POST',
          headers: csrf,
        })
        if (changes !== this.#changes) return this.#token?.value
        await this.#adopt(session.accessToken, session.expiresIn, session.user, true)
        return session.accessToken
      } catch (error) {
        if (isApiError(error) && error.status === 401) {
          // No cookie, or the session ended (logged out elsewhere, expired, revoked).
          if (changes === this.#changes) this.#clear()
          return this.#token?.value
        }
        // auth-api unreachable: keep what we have and try again soon.
        if (this.#state.status === 'starting') this.#setState({ status: 'anonymous' })
        this.#schedule(this.#settings.retryMs)
        throw error
      }
    })
  }

  async #adopt(accessToken: string, expiresIn: number, user: SessionUser, announce: boolean) {
    const expiresAt = this.now() + expiresIn * 1000
    this.#changes += 1
    this.#token = { value: accessToken, expiresAt }
    const known = this.#state.status === 'authenticated' ? this.#state.user : undefined
    let full: SessionUser = {
      ...user,
      ...(known?.id === user.id && known.email ? { email: known.email } : {}),
    }
    if (!full.email) {
      try {
        const account = await requestJson(Account, apiPaths.auth.me, { token: accessToken })
        full = { id: account.id, role: account.role, email: account.email }
      } catch (error) {
        // The e-mail is for display only: a session without it is still a session.
        if (!(error instanceof ApiError)) throw error
      }
    }
    this.#setState({ status: 'authenticated', user: full })
    this.#schedule(expiresAt - this.now() - this.#aheadMs(this.#token))
    if (announce) this.tabs.post({ type: 'session', accessToken, expiresAt, user: full })
    return full
  }

  #aheadMs(token: HeldToken): number {
    const lifetime = token.expiresAt - this.now()
    return Math.min(this.#settings.refreshAheadMs, Math.max(lifetime / 5, 1_000))
  }

  #onTabMessage(message: TabMessage) {
    if (this.#closed) return
    switch (message.type) {
      case 'token-request': {
        const token = this.#token
        if (this.#state.status === 'authenticated' && token && token.expiresAt > this.now())
          this.tabs.post({
            type: 'session',
            accessToken: token.value,
            expiresAt: token.expiresAt,
            user: this.#state.user,
          })
        return
      }
      case 'session': {
        if (this.#token && this.#token.expiresAt >= message.expiresAt) return
        if (message.expiresAt <= this.now()) return
        this.#changes += 1
        this.#token = { value: message.accessToken, expiresAt: message.expiresAt }
        this.#setState({ status: 'authenticated', user: message.user })
        this.#schedule(message.expiresAt - this.now() - this.#aheadMs(this.#token))
        return
      }
      case 'logout':
        this.#clear()
    }
  }

  #schedule(delayMs: number) {
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    if (this.#closed) return
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined
        this.refresh().catch(() => undefined)
      },
      Math.max(delayMs, 1_000),
    )
  }

  #clear() {
    this.#changes += 1
    this.#token = undefined
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#timer = undefined
    this.#setState({ status: 'anonymous' })
  }

  #setState(state: SessionState) {
    const before = this.#state
    if (
      before.status === state.status &&
      (state.status !== 'authenticated' ||
        (before.status === 'authenticated' &&
          before.user.id === state.user.id &&
          before.user.role === state.user.role &&
          before.user.email === state.user.email))
    )
      return
    this.#state = state
    for (const listener of this.#listeners) listener(state)
  }

  close() {
    this.#closed = true
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#unsubscribe()
  }
}
