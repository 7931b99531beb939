import type { ReactNode } from 'react'
import { Link, useLocation } from 'react-router'
import { useSession } from '../session/session-context'
import { useDocumentTitle } from './route-focus'
import { Loading } from './status-message'

function NotAllowed() {
  useDocumentTitle('Not allowed')
  return (
    <>
      <h1>Not allowed</h1>
      <p>These pages are for the shop's administrators. Your account cannot open them.</p>
      <Link to="/">Back to the shop</Link>
    </>
  )
}

/** Admin pages only for the admin role (SPEC A4); anyone else is told plainly, never shown an empty page. */
export function AdminGuard(props: { children: ReactNode }) {
  const session = useSession()
  const location = useLocation()
  if (session.status === 'starting') return <Loading label="Checking your account…" />
  if (session.status === 'anonymous')
    return (
      <>
        <h1>Administration</h1>
        <p>
          <Link to={`/login?next=${encodeURIComponent(`${location.pathname}${location.search}`)}`}>
            Log in
          </Link>{' '}
          with an administrator's account.
        </p>
      </>
    )
  if (session.user.role !== 'admin') return <NotAllowed />
  return props.children
}
