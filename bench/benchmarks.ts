/**
 * Every benchmark `pnpm bench` runs, in this order. Adding one is one entry here; each also has its
 * own `bench:<name>` script in the root package.json to run it alone. A benchmark is a script that
 * ends its stdout with one report line (lib/report.ts) and reads the calibration from
 * BENCH_CALIBRATION when it needs one (lib/calibration.ts: `obtainCalibration`).
 */
export interface Benchmark {
  name: string
  /** Relative to the repository root. */
  script: string
}

export const benchmarks: readonly Benchmark[] = [
  { name: 'cart', script: 'bench/cart.ts' },
  { name: 'persist', script: 'bench/persist.ts' },
  { name: 'persist-sustained', script: 'bench/persist-sustained.ts' },
  { name: 'realtime', script: 'bench/realtime.ts' },
  { name: 'propagation', script: 'bench/propagation.ts' },
  { name: 'reconcile', script: 'bench/reconcile.ts' },
  { name: 'checkout', script: 'bench/checkout.ts' },
  { name: 'gateway', script: 'bench/gateway.ts' },
  { name: 'web', script: 'bench/web.ts' },
  { name: 'overload', script: 'bench/overload.ts' },
  { name: 'capacity', script: 'bench/capacity.ts' },
]
