import { type FormEvent, type ReactNode, useId, useState } from 'react'
import { ApiError } from '../api/api-error'

export interface FieldErrors {
  form?: string
  email?: string
  password?: string
}

/** auth-api's refusals, on the field they are about where there is one (README, Auth API). */
export function accountErrors(error: unknown): FieldErrors {
  if (!(error instanceof ApiError)) return { form: 'Something went wrong. Please try again.' }
  switch (error.code) {
    case 'INVALID_CREDENTIALS':
      return { form: 'The e-mail address or the password is wrong.' }
    case 'EMAIL_INVALID':
      return { email: 'This is not a valid e-mail address.' }
    case 'EMAIL_TAKEN':
      return { email: 'An account with this e-mail address exists already. Log in instead.' }
    case 'PASSWORD_TOO_SHORT':
      return { password: `The password needs at least ${String(error.details.minLength ?? 12)} characters.` }
    case 'RATE_LIMITED': {
      const seconds = error.retryAfterSeconds ?? Number(error.details.retryAfterSeconds)
      const minutes = Number.isFinite(seconds) ? Math.max(1, Math.ceil(seconds / 60)) : undefined
      return { form: `Too many attempts. Try again${minutes ? ` in ${minutes} min` : ' later'}.` }
    }
    default:
      return { form: error.message }
  }
}

/** The e-mail + password form of log-in and registration: labels, autocomplete, errors tied to fields. */
export function AccountForm(props: {
  submitLabel: string
  newPassword: boolean
  onSubmit: (email: string, password: string) => Promise<void>
  children?: ReactNode
}) {
  const id = useId()
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [errors, setErrors] = useState<FieldErrors>({})
  const [busy, setBusy] = useState(false)

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setBusy(true)
    setErrors({})
    try {
      await props.onSubmit(email.trim(), password)
    } catch (error) {
      setErrors(accountErrors(error))
      setBusy(false)
    }
  }

  return (
    <form className="account-form" onSubmit={submit} noValidate aria-busy={busy}>
      {errors.form && (
        <p className="form-error" role="alert">
          {errors.form}
        </p>
      )}
      <div className="field">
        <label htmlFor={`${id}-email`}>E-mail address</label>
        <input
          id={`${id}-email`}
          type="email"
          name="email"
          autoComplete="email"
          required
          maxLength={254}
          value={email}
          aria-invalid={errors.email ? true : undefined}
          aria-describedby={errors.email ? `${id}-email-error` : undefined}
          onChange={(event) => setEmail(event.target.value)}
        />
        {errors.email && (
          <p className="field-error" id={`${id}-email-error`} role="alert">
            {errors.email}
          </p>
        )}
      </div>
      <div className="field">
        <label htmlFor={`${id}-password`}>Password</label>
        <input
          id={`${id}-password`}
          type="password"
          name="password"
          autoComplete={props.newPassword ? 'new-password' : 'current-password'}
          required
          maxLength={256}
          value={password}
          aria-invalid={errors.password ? true : undefined}
          aria-describedby={`${id}-password-help${errors.password ? ` ${id}-password-error` : ''}`}
          onChange={(event) => setPassword(event.target.value)}
        />
        {props.newPassword && (
          <p className="field-help" id={`${id}-password-help`}>
            At least 12 characters; a few words make a good one.
          </p>
        )}
        {errors.password && (
          <p className="field-error" id={`${id}-password-error`} role="alert">
            {errors.password}
          </p>
        )}
      </div>
      <button type="submit" className="button button-primary" disabled={busy}>
        {busy ? 'Please wait…' : props.submitLabel}
      </button>
      {props.children}
    </form>
  )
}
