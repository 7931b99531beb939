/**
 * What the error of a failed query carries that is data rather than a description of the failure:
 * drizzle's `params` (the query's values: e-mails, password hashes, token hashes), and node-postgres'
 * `detail` ("Key (email)=(...)", "Failing row contains (...)"), `where` and `internalQuery`.
 */
const DATA_KEYS = new Set(['params', 'parameters', 'detail', 'where', 'internalQuery', 'cause'])
/** What of a PostgreSQL error says what failed, without any value of the row. */
const DATABASE_KEYS = ['code', 'severity', 'schema', 'table', 'column', 'constraint', 'routine'] as const

/** pino's shape of a logged error. */
export interface SerializedError {
  type: string
  message: string
  stack: string
  [field: string]: unknown
}

type ErrorWithFields = Error & Record<string, unknown>

const fieldsOf = (error: Error) => error as ErrorWithFields

/** drizzle's DrizzleQueryError: its message ends with `params: <every value of the query>`. */
const isQueryError = (error: Error) => {
  const { query, params } = fieldsOf(error)
  return typeof query === 'string' && params !== undefined
}

/** node-postgres' DatabaseError: the server's refusal, with a SQLSTATE and a severity. */
const isDatabaseError = (error: Error) =>
  typeof fieldsOf(error).severity === 'string' && typeof fieldsOf(error).code === 'string'

const messageOf = (error: Error) =>
  isQueryError(error) ? `Failed query: ${fieldsOf(error).query}` : error.message

/** The stack's frames under a message of our own: a query error's stack starts with its whole message. */
function stackOf(error: Error): string {
  const stack = error.stack ?? ''
  if (!isQueryError(error)) return stack
  const frames = stack.split('\n').filter((line) => /^\s+at /.test(line))
  return [`${error.name}: ${messageOf(error)}`, ...frames].join('\n')
}

function causesOf(error: Error): Error[] {
  const chain: Error[] = []
  for (
    let current: unknown = error;
    current instanceof Error && !chain.includes(current);
    current = current.cause
  )
    chain.push(current)
  return chain
}

/**
 * The `err` serializer of every app's logger: pino's standard shape (type, message and stack with
 * their causes', the error's own fields) without the values a failed query carries, so that no
 * e-mail, password hash or token hash reaches a log line. What failed stays: the query with its
 * placeholders, PostgreSQL's message, SQLSTATE and constraint.
 */
export function serializeError(error: Error): SerializedError {
  // Logged under `err` but not an Error (a thrown string): described, not dropped.
  const value: unknown = error
  if (!(value instanceof Error)) return { type: typeof value, message: String(value), stack: '' }
  const chain = causesOf(value)
  const serialized: SerializedError = {
    type: value.constructor.name || value.name,
    message: chain.map(messageOf).join(': '),
    stack: chain.map(stackOf).join('\ncaused by: '),
  }
  for (const [key, field] of Object.entries(value)) {
    if (key in serialized || DATA_KEYS.has(key) || (isDatabaseError(value) && !isKept(key))) continue
    serialized[key] = field instanceof Error ? serializeError(field) : field
  }
  const database = chain.find(isDatabaseError)
  if (database)
    serialized.database = Object.fromEntries(
      DATABASE_KEYS.flatMap((key) =>
        fieldsOf(database)[key] === undefined ? [] : [[key, fieldsOf(database)[key]]],
      ),
    )
  return serialized
}

const isKept = (key: string) => (DATABASE_KEYS as readonly string[]).includes(key)
