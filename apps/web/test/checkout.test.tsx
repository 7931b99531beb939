import { render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { useState } from 'react'
import { MemoryRouter } from 'react-router'
import { describe, expect, it } from 'vitest'
import { ApiError } from '../src/api/api-error'
import { checkoutAttempts } from '../src/checkout/checkout-attempt'
import { checkoutRefusal } from '../src/checkout/checkout-refusals'
import { type CardInput, cardErrors, luhnValid } from '../src/checkout/payment-card'
import { OrderLines } from '../src/components/order-lines'
import { PaymentFormFields } from '../src/components/payment-form-fields'

describe("order-api's checkout refusals in words", () => {
  it('names every line whose price changed, from what to what', () => {
    const said = checkoutRefusal(
      new ApiError(409, 'CHECKOUT_PRICE_CHANGED', 'x', {
        lines: [
          { bookId: 'book-1', title: 'Dune', quantity: 1, fromCents: 1999, toCents: 2499 },
          { bookId: 'book-2', title: 'Emma', quantity: 2, fromCents: 999, toCents: 899 },
        ],
      }),
      'en-US',
    )
    expect(said.lines).toEqual([
      'The price of “Dune” changed from $19.99 to $24.99.',
      'The price of “Emma” changed from $9.99 to $8.99.',
    ])
    expect(said).toMatchObject({ reviewAgain: true, retrySame: false })
  })

  it('names every line that cannot be sold, and why', () => {
    const said = checkoutRefusal(
      new ApiError(409, 'CHECKOUT_LINE_UNAVAILABLE', 'x', {
        lines: [
          { bookId: 'book-1', title: 'Dune', quantity: 1, reason: 'out-of-stock', available: 0 },
          { bookId: 'book-2', title: 'Emma', quantity: 3, reason: 'stock-limited', available: 1 },
          { bookId: 'book-3', title: 'Ulysses', quantity: 1, reason: 'deleted', available: 0 },
          { nonsense: true },
        ],
      }),
    )
    expect(said.lines).toEqual([
      '“Dune” is out of stock: remove it from your cart.',
      'Only 1 of “Emma” left; your cart has 3: lower the quantity.',
      '“Ulysses” is no longer sold: remove it from your cart.',
    ])
  })

  it('asks for a new review when the cart changed, and lets a lost answer be sent again with its key', () => {
    expect(checkoutRefusal(new ApiError(409, 'CART_CHANGED', 'x', { currentVersion: 9 }))).toMatchObject({
      reviewAgain: true,
      retrySame: false,
    })
    expect(checkoutRefusal(new ApiError(0, 'NETWORK_ERROR', 'x')).retrySame).toBe(true)
    expect(checkoutRefusal(new ApiError(503, 'UPSTREAM_UNAVAILABLE', 'x')).retrySame).toBe(true)
    expect(checkoutRefusal(new ApiError(409, 'CART_EMPTY', 'x')).message).toBe(
      'Your cart is empty: there is nothing to order.',
    )
  })
})

describe('one Idempotency-Key per checkout attempt', () => {
  it('keeps the key of an attempt for its retries, and makes a new one for a new review or after it ended', () => {
    const storage = new Map<string, string>()
    const store = {
      getItem: (key: string) => storage.get(key) ?? null,
      setItem: (key: string, value: string) => void storage.set(key, value),
      removeItem: (key: string) => void storage.delete(key),
    }
    let n = 0
    const attempts = checkoutAttempts(store, () => `key-${++n}`)
    const first = attempts.keyFor('user-1', 4)
    expect(attempts.keyFor('user-1', 4)).toBe(first)
    // A reload: the same storage, a new page.
    expect(checkoutAttempts(store, () => 'other').keyFor('user-1', 4)).toBe(first)
    expect(attempts.keyFor('user-1', 5)).not.toBe(first)
    expect(attempts.keyFor('user-2', 4)).not.toBe(first)
    attempts.finish('user-1', 4)
    expect(attempts.keyFor('user-1', 4)).not.toBe(first)
    expect(first).toMatch(/^checkout-key-\d+$/)
  })
})

function CardForm() {
  const [value, setValue] = useState<CardInput>({ name: '', number: '', expiry: '', cvc: '' })
  return <PaymentFormFields value={value} errors={cardErrors(value)} disabled={false} onChange={setValue} />
}

describe('the test payment form', () => {
  it('checks the card as a real form would', () => {
    expect(luhnValid('4242424242424242')).toBe(true)
    expect(luhnValid('4242424242424241')).toBe(false)
    const now = new Date('2030-06-15T00:00:00Z')
    const good: CardInput = { name: 'Ada', number: '4242 4242 4242 4242', expiry: '06/30', cvc: '123' }
    expect(cardErrors(good, now)).toEqual({})
    expect(
      Object.keys(cardErrors({ name: ' ', number: '1234', expiry: '13/30', cvc: '1' }, now)).sort(),
    ).toEqual(['cvc', 'expiry', 'name', 'number'])
    expect(cardErrors({ ...good, expiry: '05/30' }, now).expiry).toBe('This card has expired.')
  })

  it('labels every field and ties each error to its field', async () => {
    render(<CardForm />)
    const number = screen.getByLabelText('Card number')
    expect(number.getAttribute('aria-invalid')).toBe('true')
    const describedBy = number.getAttribute('aria-describedby') ?? ''
    expect(document.getElementById(describedBy)?.textContent).toMatch(/not a valid card number/)
    await userEvent.setup().type(number, '4242424242424242')
    expect(number.getAttribute('aria-invalid')).toBeNull()
    expect(screen.getByRole('group', { name: 'Payment' })).toBeTruthy()
  })
})

describe('order lines', () => {
  it('is a table with a header per column, a row per book and the total', () => {
    render(
      <MemoryRouter>
        <OrderLines
          caption="Books you are buying"
          totalCents={4997}
          lines={[
            { bookId: 'book-1', title: 'Dune', unitPriceCents: 1999, quantity: 2, lineTotalCents: 3998 },
            {
              bookId: 'book-2',
              title: 'Emma',
              unitPriceCents: 999,
              quantity: 1,
              lineTotalCents: 999,
              hints: ['Out of stock: remove it to check out'],
            },
          ]}
        />
      </MemoryRouter>,
    )
    expect(screen.getByRole('table', { name: 'Books you are buying' })).toBeTruthy()
    expect(screen.getAllByRole('columnheader').map((cell) => cell.textContent)).toEqual([
      'Book',
      'Price',
      'Qty',
      'Total',
    ])
    expect(screen.getByRole('rowheader', { name: /Dune/ })).toBeTruthy()
    expect(screen.getByText('Out of stock: remove it to check out')).toBeTruthy()
    expect(screen.getByTestId('order-lines-total').textContent).toBe('$49.97')
  })
})
