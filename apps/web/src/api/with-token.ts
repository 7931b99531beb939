import { ApiError } from './api-error'

/** Where an authenticated request gets its access token (the session manager). */
export interface TokenSource {
  /** A current access token (undefined: not logged in). */
  token: () => Promise<string | undefined>
  /** The token was refused with 401: a fresh one, or undefined. */
  tokenRefused: (token: string) => Promise<string | undefined>
}

/**
 * Runs an authenticated request with a current token; a 401 (the token expired early, the key
 * rotated) gets one fresh token and one retry. The task is the same both times, so a request with
 * an Idempotency-Key keeps it and is never applied twice.
 */
export async function withToken<T>(source: TokenSource, task: (token: string) => Promise<T>): Promise<T> {
  const token = await source.token()
  if (!token) throw new ApiError(401, 'AUTH_TOKEN_MISSING', 'Log in first')
  try {
    return await task(token)
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) throw error
    const fresh = await source.tokenRefused(token)
    if (!fresh) throw error
    return task(fresh)
  }
}
