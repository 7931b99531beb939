import { authErrors } from './auth-errors'

// Deliberately simple (one @, a dot in the domain, no spaces): whether it is deliverable is
// a matter for a confirmation e-mail, not a regular expression.
const EMAIL = /^[^\s@]{1,64}@[^\s@.]+(\.[^\s@.]+)+$/

/** The form an e-mail address is stored and compared in. */
export function normalizeEmail(raw: string): string {
  const email = raw.trim().toLowerCase()
  if (email.length > 254 || !EMAIL.test(email)) throw authErrors.emailInvalid()
  return email
}

/** Length is the rule that matters (NIST 800-63B); code points, so an emoji counts once. */
export function checkPasswordPolicy(password: string, minLength: number): void {
  if ([...password].length < minLength) throw authErrors.passwordTooShort(minLength)
}
