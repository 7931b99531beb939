/**
 * An expected failure with a stable, machine-readable code. Routes and domain code throw these;
 * the error handler turns them into `{ error: { code, message, details } }` with the status here.
 */
export class AppError extends Error {
  override name = 'AppError'

  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message)
  }
}

export const badRequest = (code: string, message: string, details?: Record<string, unknown>) =>
  new AppError(400, code, message, details)
export const unauthorized = (code: string, message: string) => new AppError(401, code, message)
export const forbidden = (code: string, message: string) => new AppError(403, code, message)
export const notFound = (code: string, message: string, details?: Record<string, unknown>) =>
  new AppError(404, code, message, details)
export const conflict = (code: string, message: string, details?: Record<string, unknown>) =>
  new AppError(409, code, message, details)
export const unprocessable = (code: string, message: string, details?: Record<string, unknown>) =>
  new AppError(422, code, message, details)
export const serviceUnavailable = (code: string, message: string) => new AppError(503, code, message)
