/**
 * The admin tools' session (docs/gateway.md): the admin's own access token, in an httpOnly,
 * SameSite=Strict cookie scoped to the admin tools' paths, so a page of the shop can open Bull
 * Board and Swagger UI in the browser. It lives no longer than the token, which the gateway
 * verifies locally like any bearer token: nothing to store, nothing to revoke beyond the token.
 */
export const ADMIN_COOKIE = 'bookstore_admin'

/** Where the cookie is sent: the admin tools only, never the API or the shop's pages. */
export const adminToolPaths = ['/admin/queues', '/api/docs'] as const

/** The value of one cookie in a Cookie header, or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined
  for (const part of header.split(';')) {
    const separator = part.indexOf('=')
    if (separator < 0 || part.slice(0, separator).trim() !== name) continue
    const value = part.slice(separator + 1).trim()
    return value === '' ? undefined : value
  }
  return undefined
}

export interface AdminCookieOptions {
  maxAgeSeconds: number
  secure: boolean
}

/** One Set-Cookie per admin tool path (a cookie has one path); maxAge 0 clears them. */
export function adminCookies(token: string, options: AdminCookieOptions): string[] {
  return adminToolPaths.map((path) =>
    [
      `${ADMIN_COOKIE}=${options.maxAgeSeconds > 0 ? token : ''}`,
      `Path=${path}`,
      `Max-Age=${Math.max(0, Math.floor(options.maxAgeSeconds))}`,
      'HttpOnly',
      'SameSite=Strict',
      ...(options.secure ? ['Secure'] : []),
    ].join('; '),
  )
}

/** A browser asking for a page (not a script asking for data): it is sent to log in instead. */
export const wantsPage = (method: string, accept: string | undefined) =>
  (method === 'GET' || method === 'HEAD') && (accept ?? '').includes('text/html')

/** The log-in page's address, coming back to `target` afterwards (`/login?next=%2Fadmin%2Fqueues`). */
export const loginRedirect = (loginPath: string, target: string) =>
  `${loginPath}?next=${encodeURIComponent(target)}`
