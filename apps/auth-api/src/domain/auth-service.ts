import type { Database } from '@bookstore/db'
import type { AccessTokenSigner } from './access-tokens'
import { authErrors } from './auth-errors'
import { clientOf } from './client-address'
import { checkPasswordPolicy, normalizeEmail } from './credentials'
import type { PasswordHasher } from './passwords'
import type { RateLimiter } from './rate-limiter'
import { type IssuedToken, issueRefreshToken, revokeFamilyOf, rotateRefreshToken } from './refresh-tokens'
import { findUserByEmail, findUserById, insertUser, type Role, type TokenSubject, type User } from './users'

export interface AuthSettings {
  passwordMinLength: number
  refreshTokenTtlSeconds: number
  /** The absolute maximum age of a session, from its log-in. */
  sessionMaxAgeSeconds: number
  limits: {
    loginPerIp: number
    /** Per account and client address. */
    loginPerAccount: number
    /** Per account, all addresses; past it only known addresses get through. */
    loginPerAccountAllAddresses: number
    registerPerIp: number
    registerPerAccount: number
  }
  /** How long a successful log-in keeps its address known to the account. */
  knownAddressTtlSeconds: number
}

export interface AuthDependencies {
  db: Database
  hasher: PasswordHasher
  limiter: RateLimiter
  signAccessToken: AccessTokenSigner
  settings: AuthSettings
}

export type NewAccount = { email: string; password: string; role: Role }

/** Checks the e-mail and the password policy, hashes, inserts (EMAIL_TAKEN on a duplicate). */
export function accountCreator(db: Database, hasher: PasswordHasher, passwordMinLength: number) {
  return async (input: NewAccount): Promise<User> => {
    const email = normalizeEmail(input.email)
    checkPasswordPolicy(input.password, passwordMinLength)
    return insertUser(db, { email, passwordHash: await hasher.hash(input.password), role: input.role })
  }
}

export const publicUser = (user: User) => ({
  id: user.id,
  email: user.email,
  role: user.role,
  createdAt: user.createdAt.toISOString(),
})

/** Register, log in, refresh, log out (SPEC A1, A2): no Fastify here, only its dependencies. */
export function createAuthService(deps: AuthDependencies) {
  const { db, hasher, limiter, settings } = deps
  const { limits } = settings

  const lifetimes = {
    ttlSeconds: settings.refreshTokenTtlSeconds,
    maxAgeSeconds: settings.sessionMaxAgeSeconds,
  }

  async function session(user: TokenSubject, refresh: IssuedToken) {
    const { accessToken, expiresIn } = await deps.signAccessToken(user)
    return {
      tokenType: 'Bearer' as const,
      accessToken,
      expiresIn,
      refreshToken: refresh.token,
      refreshExpiresIn: refresh.expiresInSeconds,
      user: { id: user.id, role: user.role },
    }
  }

  const createAccount = accountCreator(db, hasher, settings.passwordMinLength)

  return {
    createAccount,

    async register(input: { email: string; password: string }, ip: string) {
      await limiter.hit({ scope: 'register:ip', subject: clientOf(ip), limit: limits.registerPerIp })
      const email = normalizeEmail(input.email)
      await limiter.hit({ scope: 'register:account', subject: email, limit: limits.registerPerAccount })
      return publicUser(await createAccount({ ...input, role: 'customer' }))
    },

    async login(input: { email: string; password: string }, ip: string) {
      // An IPv6 client by its /64: whoever has one address there can use them all.
      const client = clientOf(ip)
      await limiter.hit({ scope: 'login:ip', subject: client, limit: limits.loginPerIp })
      // A malformed address cannot be an account: it takes the unknown-user path, same answer.
      let email: string | undefined
      try {
        email = normalizeEmail(input.email)
      } catch {
        email = undefined
      }
      const accountId = email ?? input.email.trim().toLowerCase()
      // Counted per account *and address* (docs/auth.md, "Rate limits"): whoever guesses from an
      // address locks out that address, not the owner logging in from their own.
      const pair = {
        scope: 'login:account-ip',
        subject: `${accountId}\n${client}`,
        limit: limits.loginPerAccount,
      }
      // Counted before it is evaluated (INCR, then compare): of parallel guesses only the first
      // `limit` get to a password check, whatever their timing. A success clears the count.
      await limiter.hit(pair)
      // Guessing spread over many addresses: past the account's wider limit, only addresses it
      // logged in from before still get through.
      const wide = await limiter.count({
        scope: 'login:account',
        subject: accountId,
        limit: limits.loginPerAccountAllAddresses,
      })
      if (wide && !(await limiter.knows(pair.subject))) throw wide
      const user = email === undefined ? undefined : await findUserByEmail(db, email)
      // Unknown user: hash anyway, so the answer takes as long as a wrong password does.
      const passwordOk = user
        ? await hasher.verify(user.passwordHash, input.password)
        : await hasher.verifyNobody(input.password).then(() => false)
      if (!user || !passwordOk) throw authErrors.invalidCredentials()
      await Promise.all([
        limiter.reset(pair),
        limiter.remember(pair.subject, settings.knownAddressTtlSeconds),
      ])
      const refreshToken = await issueRefreshToken(db, user.id, lifetimes)
      return session({ id: user.id, role: user.role }, refreshToken)
    },

    async refresh(refreshToken: string) {
      const rotated = await rotateRefreshToken(db, refreshToken, lifetimes)
      // The role is read again, so a promotion or demotion reaches the next access token.
      const user = await findUserById(db, rotated.userId)
      if (!user) throw authErrors.userGone()
      return session({ id: user.id, role: user.role }, rotated)
    },

    /** Idempotent: an unknown or already revoked token is not an error (nothing to leak). */
    async logout(refreshToken: string) {
      await revokeFamilyOf(db, refreshToken)
    },

    async me(userId: string) {
      const user = await findUserById(db, userId)
      if (!user) throw authErrors.userGone()
      return publicUser(user)
    },
  }
}
export type AuthService = ReturnType<typeof createAuthService>
