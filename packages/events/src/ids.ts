import { Type } from 'typebox'

/**
 * Ids end up inside Redis keys and channel names, so they must never contain the hash-tag braces
 * `{` `}` (that would move a user's keys to another Cluster slot) nor whitespace or `:`.
 */
export const ID_PATTERN = '^[A-Za-z0-9_-]{1,64}$'
const idRegex = new RegExp(ID_PATTERN)

export const isValidId = (value: string): boolean => idRegex.test(value)

export const UserId = Type.String({ pattern: ID_PATTERN, description: 'User id (the JWT subject)' })
export const BookId = Type.String({ pattern: ID_PATTERN, description: 'Book id' })
