/** A failure the user can fix; start.ts prints only its message, no stack trace. */
export class StackError extends Error {
  override name = 'StackError'
}
