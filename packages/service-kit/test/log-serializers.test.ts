import { describe, expect, it } from 'vitest'
import { serializeError } from '../src'

/** drizzle-orm's DrizzleQueryError (drizzle-orm/errors), as it builds its message. */
class DrizzleQueryError extends Error {
  constructor(
    readonly query: string,
    readonly params: unknown[],
    cause: Error,
  ) {
    super(`Failed query: ${query}\nparams: ${params}`, { cause })
  }
}

/** node-postgres' DatabaseError as the driver builds it for a refused row. */
function databaseError() {
  return Object.assign(new Error('new row for relation "users" violates check constraint "c"'), {
    severity: 'ERROR',
    code: '23514',
    table: 'users',
    constraint: 'c',
    detail: 'Failing row contains (1, someone@example.com, $argon2id$secret).',
    where: 'row (1, someone@example.com)',
  })
}

describe('the err serializer of every app logger', () => {
  it("keeps what a failed query failed on and drops its values (drizzle's params, PostgreSQL's detail)", () => {
    const error = new DrizzleQueryError(
      'insert into "users" ("email", "password_hash") values ($1, $2)',
      ['someone@example.com', '$argon2id$secret'],
      databaseError(),
    )
    const serialized = serializeError(error)
    expect(JSON.stringify(serialized)).not.toMatch(/someone@example\.com|argon2id/)
    expect(serialized).toMatchObject({
      type: 'DrizzleQueryError',
      message:
        'Failed query: insert into "users" ("email", "password_hash") values ($1, $2): new row for relation "users" violates check constraint "c"',
      database: { code: '23514', table: 'users', constraint: 'c' },
    })
    expect(serialized.stack).toMatch(/^Error: Failed query: insert into .*\n\s+at /)
    expect(serialized.stack).toContain('caused by: Error: new row for relation')
  })

  it('leaves other errors as pino logs them: message, stack and own fields', () => {
    const error = Object.assign(new TypeError('bad'), { code: 'E_BAD', count: 2 })
    expect(serializeError(error)).toMatchObject({
      type: 'TypeError',
      message: 'bad',
      code: 'E_BAD',
      count: 2,
    })
    expect(serializeError(error).stack).toBe(error.stack)
  })
})
