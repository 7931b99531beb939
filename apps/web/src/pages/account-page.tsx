import { Link, useNavigate } from 'react-router'
import { useDocumentTitle } from '../components/route-focus'
import { Loading } from '../components/status-message'
import { useSession, useSessionManager } from '../session/session-context'

export function AccountPage() {
  const state = useSession()
  const session = useSessionManager()
  const navigate = useNavigate()
  useDocumentTitle('Your account')
  if (state.status === 'starting') return <Loading label="Loading your account…" />
  if (state.status === 'anonymous')
    return (
      <>
        <h1>Your account</h1>
        <p>
          You are not logged in. <Link to="/login?next=%2Faccount">Log in</Link> or{' '}
          <Link to="/register">create an account</Link>.
        </p>
      </>
    )
  return (
    <>
      <h1>Your account</h1>
      <dl className="account-facts">
        <dt>E-mail address</dt>
        <dd data-testid="account-email">{state.user.email ?? '—'}</dd>
        <dt>Role</dt>
        <dd>{state.user.role === 'admin' ? 'Administrator' : 'Customer'}</dd>
      </dl>
      <button
        type="button"
        className="button"
        onClick={() => {
          void session.logout().finally(() => navigate('/', { replace: true }))
        }}
      >
        Log out on this browser
      </button>
    </>
  )
}
