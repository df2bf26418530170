import { formatNumber } from './format';
import type { StatsRead } from './types';

export interface PivotRow {
  key: string;
  label: string;
  cells: Record<string, number | null>;
  total: number | null;
}

interface Column {
  key: string;
  title: string;
  dataIndex?: string;
  render?: (_: unknown, row: PivotRow) => string;
}

/** Statistics as a pivot: one row per first group; with two groups, a column per second group
 * (of the first measure), otherwise a column per measure. */
export function pivot(stats: StatsRead) {
  const two = stats.group_by.length === 2;
  const rowsByKey = new Map<string, PivotRow>();
  const columnKeys: string[] = [];
  const columnLabels = new Map<string, string>();
  for (const g of stats.groups) {
    const rowKey = String(g.keys[0] ?? '');
    const row = rowsByKey.get(rowKey) ?? { key: rowKey, label: g.labels[0] ?? '', cells: {}, total: null };
    rowsByKey.set(rowKey, row);
    if (two) {
      const colKey = String(g.keys[1] ?? '');
      if (!columnLabels.has(colKey)) {
        columnKeys.push(colKey);
        columnLabels.set(colKey, g.labels[1] ?? '');
      }
      const v = g.values[0] ?? null;
      row.cells[colKey] = v;
      row.total = v === null ? row.total : (row.total ?? 0) + v;
    } else {
      stats.measures.forEach((m, i) => (row.cells[m] = g.values[i] ?? null));
      row.total = g.values[0] ?? null;
    }
  }
  const rows = [...rowsByKey.values()];
  return {
    rows,
    chartCategories: rows.map((r) => r.label),
    chartSeries: (measureLabel: (m: string) => string) =>
      two
        ? columnKeys.map((c) => ({ name: columnLabels.get(c) ?? c, values: rows.map((r) => r.cells[c] ?? null) }))
        : stats.measures.map((m) => ({ name: measureLabel(m), values: rows.map((r) => r.cells[m] ?? null) })),
    columns: (groupLabels: string[], measureLabel: (m: string) => string, totalLabel: string): Column[] => {
      const first: Column = { key: 'label', title: groupLabels[0] ?? '', dataIndex: 'label' };
      if (two) {
        return [
          first,
          ...columnKeys.map((c) => ({ key: c, title: columnLabels.get(c) ?? c, render: (_: unknown, r: PivotRow) => formatNumber(r.cells[c]) })),
          { key: '__total', title: `${totalLabel} · ${measureLabel(stats.measures[0] ?? 'count')}`, render: (_: unknown, r: PivotRow) => formatNumber(r.total) },
        ];
      }
      return [first, ...stats.measures.map((m) => ({ key: m, title: measureLabel(m), render: (_: unknown, r: PivotRow) => formatNumber(r.cells[m]) }))];
    },
  };
}
