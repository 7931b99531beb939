/**
 * The rate of a ladder's next step, looking for the highest rate that passes: 4x the rate that
 * passed before the first step, then 2x while steps pass; once one failed, the middle of the
 * highest pass and the lowest failure, until they are within 10% (undefined: stop); while nothing
 * passed, half the lowest failure.
 */
export function nextLadderRate(
  highestPass: number | undefined,
  lowestFailure: number | undefined,
  stepsSoFar: number,
): number | undefined {
  let rate: number
  if (lowestFailure === undefined) rate = (highestPass ?? 1) * (stepsSoFar === 0 ? 4 : 2)
  else if (highestPass === undefined) rate = Math.floor(lowestFailure / 2)
  else if (lowestFailure - highestPass <= highestPass * 0.1) return undefined
  else rate = Math.round((highestPass + lowestFailure) / 2)
  return rate >= 1 ? rate : undefined
}
