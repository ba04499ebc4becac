import { useMemo } from 'preact/hooks';
import type { ViewProps } from '../context';
import { aggregate, cut, execution } from '../lib/api';
import { adminDim, breakdownDims, levelRefs, refLabel } from '../lib/catalog';
import { formatRate, formatYear, formatPercentNumber } from '../lib/format';
import { toNumber } from '../lib/decimal';
import { setState } from '../store';
import { useAsync } from '../hooks';
import { ErrorBox, Link, Loading, MemberLabel, Money, SyntheticBadge } from '../components/ui';
import { DataTable, type Column } from '../components/DataTable';
import { EChart } from '../components/EChart';
import { EmbedCode } from '../components/EmbedCode';
import { barOption } from '../charts/options';
import type { ExecutionRow } from '../gen/mizan/v1/query_pb';

const OVER = '#b91c1c';
const UNDER = '#a16207';
const OK = '#1f5fa8';

export function Execution(p: ViewProps) {
  const { s, ds, t, num } = p;
  const lang = s.lang;
  const refs = levelRefs(ds, lang, false);
  const ref = refs.some((r) => r.ref === s.ref) ? s.ref : ((adminDim(ds) ?? breakdownDims(ds)[0])?.levels[0].ref ?? '');
  const threshold = s.threshold || '0.5';
  const sort = s.sort || '-rate';
  const req = {
    dataset: ds.id,
    version: s.version,
    lang,
    drilldown: ref ? [ref] : [],
    cuts: [cut('year', [s.year]), ...(ds.directions.includes('expenditure') ? [cut('direction', ['expenditure'])] : [])],
    order: [{ ref: sort.replace(/^-/, ''), desc: sort.startsWith('-') }],
    pageSize: 1000,
    lowThreshold: threshold,
  };
  const res = useAsync(() => execution(req), [JSON.stringify(req)]);
  const rows = res.data?.rows ?? [];
  const currency = res.data?.currency || ds.currency;
  const dimName = refLabel(ds, ref, lang);
  const title = t('executionTitle', { dim: dimName, year: formatYear(s.year, num) });
  const label = (r: ExecutionRow) => r.labels[ref] || r.keys[ref];
  const pct = formatRate(threshold, { ...num, decimals: 0 });
  const flagged = rows.filter((r) => r.over || r.under).length;
  const hasExecuted = rows.some((r) => r.executed && toNumber(r.executed) !== 0);
  // When the year has no executed figures yet (a budget still running),
  // offer the latest year that has them.
  const executedYears = useAsync(
    () =>
      res.data && !hasExecuted && ds.phases.includes('executed')
        ? aggregate({ dataset: ds.id, version: s.version, drilldown: ['year'], cuts: [cut('phase', ['executed'])], pageSize: 1000 })
        : undefined,
    [res.data, hasExecuted],
  );
  const lastExecuted = (executedYears.data?.cells ?? [])
    .filter((c) => toNumber(c.values['amount.sum']) !== 0)
    .map((c) => Number(c.keys.year))
    .sort((a, b) => b - a)[0];

  const option = useMemo(
    () =>
      barOption(
        rows
          .filter((r) => r.rate !== '')
          .map((r) => ({ name: label(r), value: toNumber(r.rate) * 100, color: r.over ? OVER : r.under ? UNDER : OK })),
        {
          ...num,
          description: title,
          valueFormat: (v) => formatPercentNumber(v / 100, num),
          markLine: [
            { value: 100, label: formatRate('1', { ...num, decimals: 0 }) },
            { value: toNumber(threshold) * 100, label: pct },
          ],
        },
      ),
    [res.data, lang, s.digits],
  );

  const flag = (r: ExecutionRow) =>
    r.over ? (
      <span class="flag over">
        <span aria-hidden="true">▲ </span>
        {t('over')}
      </span>
    ) : r.under ? (
      <span class="flag under">
        <span aria-hidden="true">▼ </span>
        {t('under')}
      </span>
    ) : (
      ''
    );

  const columns: Column<ExecutionRow>[] = [
    { key: ref, label: dimName, rowHeader: true, render: (r) => <MemberLabel row={r} at={ref} /> },
    { key: 'approved', label: t('approved'), numeric: true, render: (r) => <Money value={r.approved} currency={r.currency || currency} /> },
    { key: 'revised', label: t('revised'), numeric: true, render: (r) => <Money value={r.revised} currency={r.currency || currency} /> },
    { key: 'executed', label: t('executed'), numeric: true, render: (r) => <Money value={r.executed} currency={r.currency || currency} /> },
    { key: 'rate', label: t('rate'), numeric: true, render: (r) => (r.rate ? formatRate(r.rate, num) : '—') },
    { key: 'variance', label: t('variance'), numeric: true, render: (r) => <Money value={r.variance} currency={r.currency || currency} /> },
    { key: 'flag', label: t('flag'), render: flag, sortable: false },
  ];

  const sm = res.data?.summary;
  const chart = res.error ? (
    <ErrorBox error={res.error} retry={res.reload} />
  ) : !res.data ? (
    <Loading />
  ) : !hasExecuted ? (
    <p data-testid="no-execution">
      {t('noExecution', { year: formatYear(s.year, num) })}{' '}
      {lastExecuted ? (
        <Link to={{ year: lastExecuted }} data-testid="last-executed-year">
          {t('showYear', { year: formatYear(lastExecuted, num) })}
        </Link>
      ) : null}
    </p>
  ) : (
    <EChart option={option} label={t('chartOf', { title })} testid="execution-chart" height={Math.max(260, rows.length * 30 + 60)} />
  );
  const table = res.data && rows.length > 0 && (
    <DataTable
      caption={t('tableOf', { title })}
      columns={columns}
      rows={rows}
      rowKey={(r) => r.keys[ref]}
      sort={sort}
      onSort={(x) => setState({ sort: x })}
      testid="execution-table"
      rowClass={(r) => (r.over ? 'flag-over' : r.under ? 'flag-under' : undefined)}
      footer={
        sm && (
          <tr>
            <th scope="row">{t('total')}</th>
            <td class="num"><Money value={sm.approved} currency={currency} /></td>
            <td class="num"><Money value={sm.revised} currency={currency} /></td>
            <td class="num" data-testid="execution-total-executed"><Money value={sm.executed} currency={currency} /></td>
            <td class="num">{sm.rate ? formatRate(sm.rate, num) : '—'}</td>
            <td class="num"><Money value={sm.variance} currency={currency} /></td>
            <td />
          </tr>
        )
      }
    />
  );

  if (s.embed) {
    return (
      <section class="view execution embed-view">
        <h1 class="embed-title">{title}</h1>
        {chart}
        <details>
          <summary>{t('showTable')}</summary>
          {table}
        </details>
      </section>
    );
  }

  return (
    <section class="view execution" aria-labelledby="view-title">
      <h1 id="view-title">
        {t('viewExecution')} <SyntheticBadge synthetic={ds.synthetic} />
      </h1>
      <div class="panel row">
        <div class="field">
          <label for="exec-ref">{t('groupBy')}</label>
          <select id="exec-ref" value={ref} onChange={(e) => setState({ ref: (e.target as HTMLSelectElement).value, sort: '' })}>
            {refs.map((r) => (
              <option key={r.ref} value={r.ref}>
                {r.label}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="exec-th">{t('threshold')} (%)</label>
          <input
            id="exec-th"
            type="number"
            min={0}
            max={100}
            step={5}
            value={String(Math.round(toNumber(threshold) * 100))}
            onChange={(e) => {
              const v = Number((e.target as HTMLInputElement).value);
              if (Number.isFinite(v) && v >= 0 && v <= 100) setState({ threshold: String(v / 100) }, { replace: true });
            }}
          />
        </div>
        {res.data && (
          <p class="muted" role="status">
            {t('flagged', { n: formatYear(flagged, num) })} · ▲ {t('overShort', { pct: formatRate('1', { ...num, decimals: 0 }) })} · ▼ {t('underShort', { pct })}
          </p>
        )}
      </div>
      <h2>{title}</h2>
      <div class="chart-and-table stacked">
        <div class="chart-pane">{chart}</div>
        <div class="table-pane">{table}</div>
      </div>
      <EmbedCode />
    </section>
  );
}
