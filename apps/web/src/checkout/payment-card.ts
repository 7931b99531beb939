/**
 * The test payment form's checks. The shop has one fake payment provider (docs/orders.md): order-api
 * takes no card at all (POST /checkout is the cart version alone) and the fake approves or declines
 * by its own setting, so nothing typed here leaves the browser. The form is checked as a real one
 * would be, so the page behaves like the shop it stands for.
 */
export interface CardInput {
  name: string
  number: string
  expiry: string
  cvc: string
}

export type CardErrors = Partial<Record<keyof CardInput, string>>

export const TEST_CARD = '4242 4242 4242 4242'

const digitsOf = (value: string) => value.replace(/[\s-]/g, '')

/** The Luhn check digit rule every card number follows. */
export function luhnValid(digits: string): boolean {
  let sum = 0
  for (let index = 0; index < digits.length; index++) {
    let digit = Number(digits[digits.length - 1 - index])
    if (index % 2 === 1) {
      digit *= 2
      if (digit > 9) digit -= 9
    }
    sum += digit
  }
  return sum % 10 === 0
}

/** Field errors of the form (empty: it may be sent); `now` decides whether the card has expired. */
export function cardErrors(input: CardInput, now = new Date()): CardErrors {
  const errors: CardErrors = {}
  if (!input.name.trim()) errors.name = 'Enter the name on the card.'
  const digits = digitsOf(input.number)
  if (!/^\d{12,19}$/.test(digits) || !luhnValid(digits))
    errors.number = `This is not a valid card number. For this test shop use ${TEST_CARD}.`
  const expiry = /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/.exec(input.expiry)
  if (!expiry) errors.expiry = 'Enter the expiry date as MM/YY.'
  else {
    const month = Number(expiry[1])
    const year = Number(expiry[2]) + (expiry[2]?.length === 2 ? 2000 : 0)
    if (month < 1 || month > 12) errors.expiry = 'Enter the expiry date as MM/YY.'
    else if (year * 12 + month < now.getFullYear() * 12 + now.getMonth() + 1)
      errors.expiry = 'This card has expired.'
  }
  if (!/^\d{3,4}$/.test(input.cvc.trim())) errors.cvc = 'Enter the 3 or 4 digits on the back of the card.'
  return errors
}
