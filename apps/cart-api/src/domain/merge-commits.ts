import type { CartCommit } from '@bookstore/events'

/**
 * Two pending commits of one cart as one: the newest version (the worker reads the cart as it is
 * then) and the oldest commit time (persistence lag is measured from the first unwritten change).
 */
export const mergeCommits = (earlier: CartCommit | undefined, commit: CartCommit): CartCommit =>
  earlier
    ? {
        userId: commit.userId,
        version: Math.max(earlier.version, commit.version),
        committedAt: Math.min(earlier.committedAt, commit.committedAt),
      }
    : commit
