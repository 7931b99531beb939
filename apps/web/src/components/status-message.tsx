import type { ReactNode } from 'react'
import { ApiError } from '../api/api-error'

export function Loading(props: { label: string }) {
  return (
    <p className="status status-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {props.label}
    </p>
  )
}

export const errorText = (error: unknown): string =>
  error instanceof ApiError ? error.message : 'Something went wrong. Please try again.'

export function LoadError(props: { what: string; error: unknown; onRetry?: () => void }) {
  return (
    <div className="status status-error" role="alert">
      <p>
        Could not load {props.what}. {errorText(props.error)}
      </p>
      {props.onRetry && (
        <button type="button" className="button" onClick={props.onRetry}>
          Try again
        </button>
      )}
    </div>
  )
}

export function Empty(props: { children: ReactNode }) {
  return <div className="status status-empty">{props.children}</div>
}
