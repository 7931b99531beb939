import { Link, useNavigate, useSearchParams } from 'react-router'
import { AccountForm } from '../components/account-form'
import { useDocumentTitle } from '../components/route-focus'
import { safeNext } from '../session/safe-next'
import { useSessionManager } from '../session/session-context'

const modes = {
  login: {
    title: 'Log in',
    submit: 'Log in',
    other: '/register',
    prompt: 'New here?',
    link: 'Create an account',
  },
  register: {
    title: 'Create an account',
    submit: 'Create account',
    other: '/login',
    prompt: 'Have an account?',
    link: 'Log in',
  },
}

/** Log-in and registration: the same form, then back to where the shopper was (`?next=`). */
function AccountEntryPage(props: { mode: keyof typeof modes }) {
  const mode = modes[props.mode]
  const session = useSessionManager()
  const navigate = useNavigate()
  const [params] = useSearchParams()
  const next = safeNext(params.get('next'))
  useDocumentTitle(mode.title)
  return (
    <section className="account-page" aria-labelledby="account-entry-heading">
      <h1 id="account-entry-heading">{mode.title}</h1>
      <AccountForm
        submitLabel={mode.submit}
        newPassword={props.mode === 'register'}
        onSubmit={async (email, password) => {
          if (props.mode === 'register') await session.register(email, password)
          else await session.login(email, password)
          navigate(next, { replace: true })
        }}
      >
        <p>
          {mode.prompt} <Link to={`${mode.other}?next=${encodeURIComponent(next)}`}>{mode.link}</Link>
        </p>
      </AccountForm>
    </section>
  )
}

export const LoginPage = () => <AccountEntryPage mode="login" />
export const RegisterPage = () => <AccountEntryPage mode="register" />
