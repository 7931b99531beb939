// Moved to the service kit (every worker on PostgreSQL waits out the same failures); kept here by name.
export { isDatabaseUnavailable } from '@bookstore/service-kit/database-errors'

/** The message of the innermost cause (a wrapped query error says what the database said). */
export function rootMessage(error: unknown): string {
  let current = error
  while (current instanceof Error && current.cause instanceof Error) current = current.cause
  return current instanceof Error ? current.message : String(current)
}
