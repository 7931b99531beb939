import { useMemo } from 'react'
import type { TokenSource } from '../api/with-token'
import { useSessionManager } from './session-context'

/** The session's tokens for authenticated requests made from a page (orders, admin). */
export function useTokenSource(): TokenSource {
  const session = useSessionManager()
  return useMemo(
    () => ({
      token: () => session.accessToken(),
      tokenRefused: (token: string) => session.tokenRefused(token),
    }),
    [session],
  )
}
