/**
 * Where to go after logging in: only a path of this shop. `next=//evil.example` or an absolute URL
 * would make the log-in page an open redirect.
 */
export function safeNext(next: string | null, fallback = '/'): string {
  if (!next?.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return fallback
  try {
    const url = new URL(next, 'https://shop.invalid')
    return url.origin === 'https://shop.invalid' ? `${url.pathname}${url.search}${url.hash}` : fallback
  } catch {
    return fallback
  }
}
