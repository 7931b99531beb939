import { type CardErrors, type CardInput, TEST_CARD } from '../checkout/payment-card'

const fields: Array<{
  name: keyof CardInput
  label: string
  autoComplete: string
  inputMode?: 'numeric'
  placeholder?: string
  maxLength: number
}> = [
  { name: 'name', label: 'Name on the card', autoComplete: 'cc-name', maxLength: 100 },
  {
    name: 'number',
    label: 'Card number',
    autoComplete: 'cc-number',
    inputMode: 'numeric',
    placeholder: TEST_CARD,
    maxLength: 23,
  },
  { name: 'expiry', label: 'Expiry (MM/YY)', autoComplete: 'cc-exp', placeholder: 'MM/YY', maxLength: 7 },
  { name: 'cvc', label: 'Security code', autoComplete: 'cc-csc', inputMode: 'numeric', maxLength: 4 },
]

/**
 * The test payment's fields, labelled, each error tied to its field. Nothing typed here is sent:
 * the shop's only payment provider is a fake (see checkout/payment-card.ts).
 */
export function PaymentFormFields(props: {
  value: CardInput
  errors: CardErrors
  disabled: boolean
  onChange: (value: CardInput) => void
}) {
  const { value, errors } = props
  return (
    <fieldset className="payment-fields" disabled={props.disabled}>
      <legend>Payment</legend>
      <p className="field-help" id="payment-help">
        This is a test shop: no card is charged and nothing you type here leaves your browser. Use {TEST_CARD}
        , any future date and any 3 digits.
      </p>
      {fields.map((field) => {
        const id = `card-${field.name}`
        const error = errors[field.name]
        return (
          <div className="field" key={field.name}>
            <label htmlFor={id}>{field.label}</label>
            <input
              id={id}
              name={field.name}
              autoComplete={field.autoComplete}
              inputMode={field.inputMode}
              placeholder={field.placeholder}
              maxLength={field.maxLength}
              value={value[field.name]}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? `${id}-error` : 'payment-help'}
              onChange={(event) => props.onChange({ ...value, [field.name]: event.target.value })}
            />
            {error && (
              <p className="field-error" id={`${id}-error`}>
                {error}
              </p>
            )}
          </div>
        )
      })}
    </fieldset>
  )
}
