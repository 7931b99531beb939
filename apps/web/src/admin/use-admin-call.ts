import { type DependencyList, useCallback } from 'react'
import { withToken } from '../api/with-token'
import { useAsync } from '../hooks/use-async'
import { useTokenSource } from '../session/use-token-source'

/** An admin request with the session's token (a 401 refreshes it once). */
export function useAdminCall() {
  const tokens = useTokenSource()
  return useCallback(<T>(task: (token: string) => Promise<T>) => withToken(tokens, task), [tokens])
}

/** An admin read, run again when its inputs change (the previous one aborted). */
export function useAdminRead<T>(
  read: (token: string, signal: AbortSignal) => Promise<T>,
  deps: DependencyList,
) {
  const call = useAdminCall()
  return useAsync((signal) => call((token) => read(token, signal)), deps)
}
