import { type DependencyList, useCallback, useEffect, useState } from 'react'

export type AsyncState<T> =
  | { status: 'loading'; data?: T }
  | { status: 'ready'; data: T }
  | { status: 'error'; error: unknown; data?: T }

/**
 * Runs a request when its inputs change, aborting the previous one (a fast typist or back/forward
 * never sees an older answer land last). The previous data stays while the next loads.
 */
export function useAsync<T>(run: (signal: AbortSignal) => Promise<T>, deps: DependencyList) {
  const [state, setState] = useState<AsyncState<T>>({ status: 'loading' })
  const [attempt, setAttempt] = useState(0)
  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller's deps decide when to run again
  useEffect(() => {
    const controller = new AbortController()
    setState((previous) => ({
      status: 'loading',
      ...(previous.data !== undefined && { data: previous.data }),
    }))
    run(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setState({ status: 'ready', data })
      },
      (error: unknown) => {
        if (!controller.signal.aborted) setState({ status: 'error', error })
      },
    )
    return () => controller.abort()
  }, [...deps, attempt])
  const retry = useCallback(() => setAttempt((n) => n + 1), [])
  return { ...state, retry }
}
