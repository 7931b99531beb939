import { Link, useNavigate, useSearchParams } from 'react-router'
import { AccountForm } from '../components/account-form'
import { useDocumentTitle } from '../components/route-focus'
import { safeNext } from '../session/safe-next'
import { useSessionManager } from '../session/session-context'

export function RegisterPage() {
  const session = useSessionManager()
  const navigate = useNavigate()
  const [params] = useSearchParams()
  const next = safeNext(params.get('next'))
  useDocumentTitle('Create an account')
  return (
    <section className="account-page" aria-labelledby="register-heading">
      <h1 id="register-heading">Create an account</h1>
      <AccountForm
        submitLabel="Create account"
        newPassword
        onSubmit={async (email, password) => {
          await session.register(email, password)
          navigate(next, { replace: true })
        }}
      >
        <p>
          Have an account? <Link to={`/login?next=${encodeURIComponent(next)}`}>Log in</Link>
        </p>
      </AccountForm>
    </section>
  )
}
