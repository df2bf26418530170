import { describe, expect, it } from 'vitest';
import { pivot } from './pivot';

describe('pivot', () => {
  it('puts the second group in columns with a row total', () => {
    const p = pivot({
      group_by: ['township', 'crops.crop'],
      measures: ['sum:crops.loss'],
      table: 'crops',
      rows: 3,
      totals: [60],
      groups: [
        { keys: ['1', 'rice'], labels: ['海口镇', '水稻'], values: [10] },
        { keys: ['1', 'wheat'], labels: ['海口镇', '小麦'], values: [20] },
        { keys: ['2', 'rice'], labels: ['沙埕镇', '水稻'], values: [30] },
      ],
    });
    expect(p.rows.map((r) => [r.label, r.cells.rice, r.cells.wheat ?? null, r.total])).toEqual([
      ['海口镇', 10, 20, 30],
      ['沙埕镇', 30, null, 30],
    ]);
    expect(p.chartSeries((m) => m).map((s) => s.name)).toEqual(['水稻', '小麦']);
  });
});
