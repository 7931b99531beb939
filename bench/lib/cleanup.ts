/**
 * Things a benchmark must undo, whatever happens: on success (the benchmark calls `cleanUp()` itself,
 * before its report), on failure and on SIGINT/SIGTERM (`runBench`).
 */

const cleanups: Array<{ name: string; run: () => Promise<unknown> }> = []
let cleanedUp: Promise<void> | undefined

/** Registers something to undo; cleanups run newest first. */
export function onCleanUp(name: string, run: () => Promise<unknown>): void {
  cleanups.push({ name, run })
}

/** Runs the cleanups newest first, once; a failing one is reported and the others still run. */
export function cleanUp(): Promise<void> {
  cleanedUp ??= (async () => {
    for (const { name, run } of cleanups.reverse()) {
      try {
        await run()
      } catch (error) {
        console.error(`cleanup "${name}" failed:`, error)
      }
    }
  })()
  return cleanedUp
}

/**
 * Runs a benchmark's main function. On SIGINT/SIGTERM the cleanups run and the process exits 130;
 * if main throws, the error is printed, the cleanups run and the process exits 1.
 */
export async function runBench(main: () => Promise<void>): Promise<void> {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: cleaning up`)
      void cleanUp().finally(() => process.exit(130))
    })
  }
  try {
    await main()
  } catch (error) {
    console.error('bench failed:', error)
    await cleanUp()
    process.exit(1)
  }
}
