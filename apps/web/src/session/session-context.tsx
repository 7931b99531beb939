import { createContext, type ReactNode, useContext, useEffect, useSyncExternalStore } from 'react'
import type { SessionManager, SessionState } from './session-manager'

const SessionContext = createContext<SessionManager | undefined>(undefined)

export function SessionProvider(props: { session: SessionManager; children: ReactNode }) {
  const { session } = props
  useEffect(() => {
    void session.start().catch(() => undefined)
  }, [session])
  return <SessionContext.Provider value={session}>{props.children}</SessionContext.Provider>
}

export function useSessionManager(): SessionManager {
  const session = useContext(SessionContext)
  if (!session) throw new Error('useSession outside SessionProvider')
  return session
}

/** The session state, re-rendering on log-in, log-out (in any tab) and refresh outcomes. */
export function useSession(): SessionState {
  const session = useSessionManager()
  return useSyncExternalStore(
    (listener) => session.subscribe(listener),
    () => session.state,
  )
}
