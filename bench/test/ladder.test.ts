import { describe, expect, it } from 'vitest'
import { nextLadderRate } from '../lib/ladder'

describe('nextLadderRate', () => {
  it('climbs 4x after the main run, then 2x while steps pass', () => {
    expect(nextLadderRate(250, undefined, 0)).toBe(1000)
    expect(nextLadderRate(1000, undefined, 1)).toBe(2000)
  })

  it('halves the gap between the highest pass and the lowest failure', () => {
    expect(nextLadderRate(2000, 4000, 3)).toBe(3000)
    expect(nextLadderRate(3000, 4000, 4)).toBe(3500)
  })

  it('stops once pass and failure are within 10%', () => {
    expect(nextLadderRate(3600, 3900, 5)).toBeUndefined()
  })

  it('halves the failure while nothing passed, down to 1/s', () => {
    expect(nextLadderRate(undefined, 250, 0)).toBe(125)
    expect(nextLadderRate(undefined, 1, 3)).toBeUndefined()
  })
})
