// An accessible, sortable table: the alternative to every chart.
// Sorting is either local (sortValue) or delegated (onSort, for
// server-side order); the header buttons carry aria-sort.
import type { ComponentChildren } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import { useI18n } from '../hooks';

export interface Column<R> {
  key: string;
  label: string;
  numeric?: boolean;
  render: (r: R) => ComponentChildren;
  sortValue?: (r: R) => number | string;
  rowHeader?: boolean;
  /** false: never sortable, even when the table sorts server-side. */
  sortable?: boolean;
}

export function DataTable<R>({
  caption,
  columns,
  rows,
  sort,
  onSort,
  rowKey,
  footer,
  testid,
  rowClass,
}: {
  caption: string;
  columns: Column<R>[];
  rows: R[];
  sort?: string; // "key" or "-key"
  onSort?: (sort: string) => void;
  rowKey: (r: R, i: number) => string;
  footer?: ComponentChildren;
  testid?: string;
  rowClass?: (r: R) => string | undefined;
}) {
  const { t } = useI18n();
  const [localSort, setLocalSort] = useState('');
  const current = onSort ? (sort ?? '') : localSort;
  const desc = current.startsWith('-');
  const key = current.replace(/^-/, '');
  const sorted = useMemo(() => {
    if (onSort || !key) return rows;
    const col = columns.find((c) => c.key === key);
    if (!col?.sortValue) return rows;
    const sv = col.sortValue;
    return [...rows].sort((a, b) => {
      const x = sv(a);
      const y = sv(b);
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return desc ? -c : c;
    });
  }, [rows, key, desc, onSort, columns]);

  const toggle = (k: string) => {
    const next = key === k ? (desc ? k : '-' + k) : columns.find((c) => c.key === k)?.numeric ? '-' + k : k;
    if (onSort) onSort(next);
    else setLocalSort(next);
  };

  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label={caption}>
      <table data-testid={testid}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => {
              const sortable = c.sortable !== false && !!(onSort || c.sortValue);
              const state = key === c.key ? (desc ? 'descending' : 'ascending') : undefined;
              return (
                <th key={c.key} scope="col" class={c.numeric ? 'num' : undefined} aria-sort={state}>
                  {sortable ? (
                    <button
                      type="button"
                      class="sort"
                      onClick={() => toggle(c.key)}
                      title={t('sortBy', { col: c.label })}
                    >
                      {c.label}
                      <span aria-hidden="true" class="sort-icon">
                        {state === 'ascending' ? '▲' : state === 'descending' ? '▼' : '↕'}
                      </span>
                    </button>
                  ) : (
                    c.label
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {sorted.map((r, i) => (
            <tr key={rowKey(r, i)} class={rowClass?.(r)}>
              {columns.map((c) =>
                c.rowHeader ? (
                  <th key={c.key} scope="row">
                    {c.render(r)}
                  </th>
                ) : (
                  <td key={c.key} class={c.numeric ? 'num' : undefined}>
                    {c.render(r)}
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
        {footer && <tfoot>{footer}</tfoot>}
      </table>
    </div>
  );
}
