import { fireEvent, render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { MemoryRouter } from 'react-router'
import { describe, expect, it, vi } from 'vitest'
import { ApiError } from '../src/api/api-error'
import { parseCatalogQuery } from '../src/catalog/catalog-query'
import { accountErrors } from '../src/components/account-form'
import { CartLine } from '../src/components/cart-line'
import { CatalogFilters } from '../src/components/catalog-filters'
import { Pagination, pageWindow } from '../src/components/pagination'

const item = {
  bookId: 'book-1',
  title: 'Dune',
  unitPriceCents: 2999,
  quantity: 2,
  lineTotalCents: 5998,
  addedAt: 1,
  previousUnitPriceCents: 3899,
}

describe('a cart line', () => {
  it('is operable by name, shows what the catalog changed, and asks for valid quantities only', async () => {
    const onQuantity = vi.fn()
    const onRemove = vi.fn()
    render(
      <MemoryRouter>
        <ul>
          <CartLine item={item} pending={false} onQuantity={onQuantity} onRemove={onRemove} />
        </ul>
      </MemoryRouter>,
    )
    expect(screen.getByText(/Price changed from \$38\.99 to \$29\.99/)).toBeTruthy()
    const user = userEvent.setup()
    await user.click(screen.getByRole('button', { name: 'One more “Dune”' }))
    await user.click(screen.getByRole('button', { name: 'One fewer “Dune”' }))
    expect(onQuantity.mock.calls).toEqual([[3], [1]])

    const input = screen.getByLabelText('Quantity of “Dune”')
    await user.clear(input)
    await user.type(input, '5{Enter}')
    expect(onQuantity).toHaveBeenLastCalledWith(5)
    await user.clear(input)
    await user.type(input, '-4')
    fireEvent.blur(input)
    expect(onQuantity).toHaveBeenCalledTimes(3)
    expect((input as HTMLInputElement).value).toBe('2')

    await user.click(screen.getByRole('button', { name: 'Remove “Dune” from the cart' }))
    expect(onRemove).toHaveBeenCalledOnce()
  })
})

describe('pagination', () => {
  it('keeps the first, the last and the pages around the current one', () => {
    expect(pageWindow(1, 1)).toEqual([1])
    expect(pageWindow(1, 13)).toEqual([1, 2, 3, 'gap', 13])
    expect(pageWindow(7, 13)).toEqual([1, 'gap', 5, 6, 7, 8, 9, 'gap', 13])
    expect(pageWindow(13, 13)).toEqual([1, 'gap', 11, 12, 13])
  })

  it('marks the current page and links every other one', () => {
    render(
      <MemoryRouter>
        <Pagination page={2} totalPages={3} href={(page) => `/?page=${page}`} />
      </MemoryRouter>,
    )
    expect(screen.getByRole('link', { name: 'Page 2' }).getAttribute('aria-current')).toBe('page')
    expect(screen.getByRole('link', { name: 'Page 3' }).getAttribute('aria-current')).toBeNull()
    expect(screen.getByRole('link', { name: 'Next' }).getAttribute('href')).toBe('/?page=3')
    expect(screen.getByRole('link', { name: 'Previous' }).getAttribute('href')).toBe('/?page=1')
  })
})

describe('catalog filters', () => {
  it('applies a search on submit, ranked by relevance, and a choice at once; both restart at page 1', async () => {
    const onChange = vi.fn()
    const query = parseCatalogQuery(new URLSearchParams('page=4'))
    render(
      <CatalogFilters query={query} categories={[{ id: 'fantasy', name: 'Fantasy' }]} onChange={onChange} />,
    )
    const user = userEvent.setup()
    await user.type(screen.getByLabelText('Search'), '  dune ')
    expect(onChange).not.toHaveBeenCalled()
    await user.click(screen.getByRole('button', { name: 'Search' }))
    expect(onChange).toHaveBeenLastCalledWith({ ...query, q: 'dune', sort: 'relevance', page: 1 })

    await user.selectOptions(screen.getByLabelText('Category'), 'fantasy')
    expect(onChange).toHaveBeenLastCalledWith({ ...query, category: 'fantasy', page: 1 })
    await user.click(screen.getByLabelText('In stock only'))
    expect(onChange).toHaveBeenLastCalledWith({ ...query, inStock: true, page: 1 })
    // Without a search there is nothing to rank by relevance.
    expect(screen.queryByRole('option', { name: 'Best match' })).toBeNull()
  })
})

describe('account form errors', () => {
  it("puts auth-api's refusals on the field they are about", () => {
    expect(accountErrors(new ApiError(409, 'EMAIL_TAKEN', 'x')).email).toMatch(/exists already/)
    expect(accountErrors(new ApiError(400, 'PASSWORD_TOO_SHORT', 'x', { minLength: 14 })).password).toBe(
      'The password needs at least 14 characters.',
    )
    expect(accountErrors(new ApiError(429, 'RATE_LIMITED', 'x', {}, 120)).form).toBe(
      'Too many attempts. Try again in 2 min.',
    )
    expect(accountErrors(new ApiError(401, 'INVALID_CREDENTIALS', 'x')).form).toBe(
      'The e-mail address or the password is wrong.',
    )
  })
})
