import { describe, expect, it } from 'vitest'
import { benchReport, checked, figure, formatNumber, formatTable, parseBenchReport } from '../lib/report'

describe('checked', () => {
  it('judges each kind of target', () => {
    expect(checked('a', 9.99, 'ms', { op: '<', value: 10 }).pass).toBe(true)
    expect(checked('a', 10, 'ms', { op: '<', value: 10 }).pass).toBe(false)
    expect(checked('b', 0.7, '', { op: '>=', value: 0.7 }).pass).toBe(true)
    expect(checked('b', 0.69, '', { op: '>=', value: 0.7 }).pass).toBe(false)
    expect(checked('c', 0, '', { op: '=', value: 0 }).pass).toBe(true)
    expect(checked('c', 3, '', { op: '=', value: 0 }).pass).toBe(false)
  })
})

describe('benchReport', () => {
  it('passes when every judged row passes; figures without a target do not count', () => {
    const ok = checked('ok', 1, '', { op: '=', value: 1 })
    expect(benchReport('x', [ok, figure('seen', 5, 'ms')], {}).pass).toBe(true)
    expect(benchReport('x', [ok, checked('bad', 2, '', { op: '=', value: 1 })], {}).pass).toBe(false)
  })

  it('survives its own JSON line', () => {
    const report = benchReport('x', [checked('ok', 1, '', { op: '=', value: 1 })], { extra: [1, 2] })
    expect(parseBenchReport(JSON.stringify(report))).toEqual(report)
    expect(parseBenchReport('fetch failed')).toMatch(/not JSON/)
  })
})

describe('formatTable', () => {
  it('shows value, target and verdict in aligned columns', () => {
    const table = formatTable([
      { ...checked('delivery p99', 31.5, 'ms', { op: '<', value: 25 }), bench: 'realtime' },
      { ...figure('bare Fastify route', 14210, 'req/s', 'p99 2 ms'), bench: 'calibration' },
    ])
    const lines = table.split('\n')
    expect(lines).toHaveLength(4)
    expect(new Set(lines.map((line) => line.length)).size).toBe(1)
    expect(lines[2]).toMatch(/\| realtime +\| delivery p99 +\| 31\.5 ms +\| < 25 ms +\| FAIL +\|/)
    expect(lines[3]).toMatch(/\| 14,210 req\/s +\| +\| +\| p99 2 ms +\|$/)
  })

  it('groups whole numbers by thousands and keeps 3 significant digits of others', () => {
    expect(formatNumber(14210)).toBe('14,210')
    expect(formatNumber(0.027027)).toBe('0.027')
    expect(formatNumber(123.456)).toBe('123')
  })
})
