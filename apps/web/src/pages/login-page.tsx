import { Link, useNavigate, useSearchParams } from 'react-router'
import { AccountForm } from '../components/account-form'
import { useDocumentTitle } from '../components/route-focus'
import { safeNext } from '../session/safe-next'
import { useSessionManager } from '../session/session-context'

export function LoginPage() {
  const session = useSessionManager()
  const navigate = useNavigate()
  const [params] = useSearchParams()
  const next = safeNext(params.get('next'))
  useDocumentTitle('Log in')
  return (
    <section className="account-page" aria-labelledby="login-heading">
      <h1 id="login-heading">Log in</h1>
      <AccountForm
        submitLabel="Log in"
        newPassword={false}
        onSubmit={async (email, password) => {
          await session.login(email, password)
          navigate(next, { replace: true })
        }}
      >
        <p>
          New here? <Link to={`/register?next=${encodeURIComponent(next)}`}>Create an account</Link>
        </p>
      </AccountForm>
    </section>
  )
}
