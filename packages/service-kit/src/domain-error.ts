/**
 * An expected failure with a stable, machine-readable code, and nothing about HTTP: domain code
 * throws these, and the one error handler at the edge maps each code to a status with the app's
 * table (`ErrorStatuses`). This module imports nothing, so domain modules may import it
 * (`@bookstore/service-kit/domain-error`) without pulling in Fastify.
 */
export class DomainError<Code extends string = string> extends Error {
  override name = 'DomainError'
  /** Always present (possibly undefined), which also tells it apart from Fastify's own errors. */
  readonly details: Record<string, unknown> | undefined

  constructor(
    readonly code: Code,
    message: string,
    details?: Record<string, unknown>,
  ) {
    super(message)
    this.details = details
  }
}

/**
 * The codes the service kit itself raises (token checks, the admin role, a data store away, the
 * dead-letter routes). Domain code may raise them too (e.g. a token refused before a WebSocket
 * upgrade); every app's error handler knows their status, so an app's own table leaves them out.
 */
export type KitErrorCode =
  | 'AUTH_TOKEN_MISSING'
  | 'AUTH_TOKEN_INVALID'
  | 'AUTH_TOKEN_EXPIRED'
  | 'FORBIDDEN'
  | 'STORE_UNAVAILABLE'
  | 'DEAD_LETTER_NOT_FOUND'
  | 'INVALID_TEXT'

/** The constructor of one code union's errors, e.g. `const cartError = errorsOf<CartErrorCode>()`. */
export const errorsOf =
  <Code extends string>() =>
  (code: Code, message: string, details?: Record<string, unknown>): DomainError<Code> =>
    new DomainError(code, message, details)

export const kitError = errorsOf<KitErrorCode>()
