import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Paths are resolved from the repository root so the scripts behave the same from any directory. */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url))

/** Everything the local stack keeps on disk lives here (gitignored): data, keys. */
export const localDir = join(repoRoot, '.local')
