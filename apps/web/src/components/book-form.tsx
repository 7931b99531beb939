import type { Book, Category } from '@bookstore/events'
import { type FormEvent, useId, useState } from 'react'
import type { BookFields } from '../admin/admin-api'
import { dollarsText, parseDollars } from '../admin/dollars'

interface Draft {
  title: string
  author: string
  description: string
  price: string
  publishedOn: string
  categories: string[]
  stock: string
}

type DraftErrors = Partial<Record<'title' | 'author' | 'price' | 'stock', string>>

const draftOf = (book: Book | undefined): Draft => ({
  title: book?.title ?? '',
  author: book?.author ?? '',
  description: book?.description ?? '',
  price: book ? dollarsText(book.priceCents) : '',
  publishedOn: book?.publishedOn ?? '',
  categories: book?.categories ?? [],
  stock: '0',
})

const stockOf = (text: string): number | undefined => {
  const stock = Number(text)
  return /^\s*\d+\s*$/.test(text) && Number.isSafeInteger(stock) && stock <= 1_000_000 ? stock : undefined
}

function check(draft: Draft, withStock: boolean): DraftErrors {
  const errors: DraftErrors = {}
  if (!draft.title.trim()) errors.title = 'A book needs a title.'
  if (!draft.author.trim()) errors.author = 'A book needs an author.'
  if (parseDollars(draft.price) === undefined) errors.price = 'Enter a price in dollars, e.g. 12.99.'
  if (withStock && stockOf(draft.stock) === undefined)
    errors.stock = 'Enter a whole number of copies, 0 or more.'
  return errors
}

function TextInput(props: {
  id: string
  label: string
  value: string
  error: string | undefined
  onChange: (value: string) => void
  inputMode?: 'decimal' | 'numeric'
  maxLength: number
}) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <input
        id={props.id}
        value={props.value}
        inputMode={props.inputMode}
        maxLength={props.maxLength}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={props.error ? `${props.id}-error` : undefined}
        onChange={(event) => props.onChange(event.target.value)}
      />
      {props.error && (
        <p className="field-error" id={`${props.id}-error`}>
          {props.error}
        </p>
      )}
    </div>
  )
}

/**
 * A book's own fields, for a new book (with its first stock) or an existing one (stock is changed
 * apart, as book-api does). Sends only what is valid; the price is typed in dollars, sent in cents.
 */
export function BookForm(props: {
  book?: Book
  categories: readonly Category[] | undefined
  submitLabel: string
  onSubmit: (fields: BookFields, stock: number) => Promise<void>
}) {
  const id = useId()
  const withStock = props.book === undefined
  const [draft, setDraft] = useState<Draft>(() => draftOf(props.book))
  const [errors, setErrors] = useState<DraftErrors>({})
  const [busy, setBusy] = useState(false)
  const set = (patch: Partial<Draft>) => setDraft((current) => ({ ...current, ...patch }))

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const found = check(draft, withStock)
    setErrors(found)
    const first = Object.keys(found)[0]
    if (first) {
      event.currentTarget.querySelector<HTMLInputElement>(`#${CSS.escape(`${id}-${first}`)}`)?.focus()
      return
    }
    setBusy(true)
    try {
      await props.onSubmit(
        {
          title: draft.title.trim(),
          author: draft.author.trim(),
          description: draft.description,
          priceCents: parseDollars(draft.price) ?? 0,
          publishedOn: draft.publishedOn || null,
          categories: draft.categories,
        },
        stockOf(draft.stock) ?? 0,
      )
    } finally {
      setBusy(false)
    }
  }

  return (
    <form className="book-form" onSubmit={(event) => void submit(event)} noValidate aria-busy={busy}>
      <TextInput
        id={`${id}-title`}
        label="Title"
        value={draft.title}
        error={errors.title}
        maxLength={500}
        onChange={(title) => set({ title })}
      />
      <TextInput
        id={`${id}-author`}
        label="Author"
        value={draft.author}
        error={errors.author}
        maxLength={200}
        onChange={(author) => set({ author })}
      />
      <TextInput
        id={`${id}-price`}
        label="Price (USD)"
        value={draft.price}
        error={errors.price}
        inputMode="decimal"
        maxLength={15}
        onChange={(price) => set({ price })}
      />
      {withStock && (
        <TextInput
          id={`${id}-stock`}
          label="Copies in stock"
          value={draft.stock}
          error={errors.stock}
          inputMode="numeric"
          maxLength={7}
          onChange={(stock) => set({ stock })}
        />
      )}
      <div className="field">
        <label htmlFor={`${id}-published`}>Published on</label>
        <input
          id={`${id}-published`}
          type="date"
          value={draft.publishedOn}
          onChange={(event) => set({ publishedOn: event.target.value })}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-description`}>Description</label>
        <textarea
          id={`${id}-description`}
          rows={5}
          maxLength={10_000}
          value={draft.description}
          onChange={(event) => set({ description: event.target.value })}
        />
      </div>
      {props.categories && props.categories.length > 0 && (
        <fieldset className="book-form-categories">
          <legend>Categories</legend>
          {props.categories.map((category) => (
            <div className="field field-check" key={category.id}>
              <input
                id={`${id}-category-${category.id}`}
                type="checkbox"
                checked={draft.categories.includes(category.id)}
                onChange={(event) =>
                  set({
                    categories: event.target.checked
                      ? [...draft.categories, category.id]
                      : draft.categories.filter((chosen) => chosen !== category.id),
                  })
                }
              />
              <label htmlFor={`${id}-category-${category.id}`}>{category.name}</label>
            </div>
          ))}
        </fieldset>
      )}
      <p>
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Saving…' : props.submitLabel}
        </button>
      </p>
    </form>
  )
}
