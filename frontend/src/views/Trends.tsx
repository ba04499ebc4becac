import { useMemo } from 'preact/hooks';
import type { ViewProps } from '../context';
import { aggregate, cut, type AggregateInit } from '../lib/api';
import { deflatorSeries, levelRefs, refLabel } from '../lib/catalog';
import { formatYear } from '../lib/format';
import { toNumber } from '../lib/decimal';
import { term } from '../lib/i18n';
import { setState } from '../store';
import { useAsync } from '../hooks';
import { ErrorBox, Loading, Money, Segmented, SyntheticBadge } from '../components/ui';
import { DataTable, type Column } from '../components/DataTable';
import { EChart } from '../components/EChart';
import { EmbedCode } from '../components/EmbedCode';
import { lineOption } from '../charts/options';

const SUM = 'amount.sum';
const TOP = 6;

export function Trends(p: ViewProps) {
  const { s, ds, all, t, num } = p;
  const lang = s.lang;
  const refs = levelRefs(ds, lang, false);
  const ref = refs.some((r) => r.ref === s.ref) ? s.ref : '';
  const direction = s.direction || (ds.directions.includes('expenditure') ? 'expenditure' : (ds.directions[0] ?? ''));
  const deflator = deflatorSeries(all, ds.country);
  const constant = s.prices === 'constant' && !!deflator;
  const baseYear = ds.years[ds.years.length - 1];
  const baseCuts = [...(s.phase ? [cut('phase', [s.phase])] : []), ...(direction ? [cut('direction', [direction])] : [])];

  const top = useAsync(
    () =>
      ref
        ? aggregate({ dataset: ds.id, version: s.version, lang, drilldown: [ref], cuts: baseCuts, order: [{ ref: SUM, desc: true }], pageSize: TOP })
        : undefined,
    [ds.id, s.version, lang, ref, s.phase, direction],
  );
  const topKeys = ref ? top.data?.cells.map((c) => c.keys[ref]) : [];
  const req: AggregateInit | undefined =
    topKeys === undefined
      ? undefined
      : {
          dataset: ds.id,
          version: s.version,
          lang,
          drilldown: ref ? ['year', ref] : ['year'],
          cuts: [...baseCuts, ...(ref && topKeys.length ? [cut(ref, topKeys)] : [])],
          order: [{ ref: 'year', desc: false }],
          pageSize: 10000,
          ...(constant ? { normalization: { deflator: deflator!.id, baseYear } } : {}),
        };
  const res = useAsync(() => (req ? aggregate(req) : undefined), [JSON.stringify(req)]);
  const currency = res.data?.currency || ds.currency;

  const { years, series, table } = useMemo(() => {
    const years = ds.years;
    const names = new Map<string, string>();
    const val = new Map<string, string>();
    for (const c of res.data?.cells ?? []) {
      const k = ref ? c.keys[ref] : 'total';
      names.set(k, ref ? c.labels[ref] || k : t('total'));
      val.set(`${c.keys.year}|${k}`, c.values[SUM]);
    }
    const order = ref ? (topKeys ?? []).filter((k) => names.has(k)) : ['total'];
    const series = order.map((k) => ({ key: k, name: names.get(k) ?? k, data: years.map((y) => (val.has(`${y}|${k}`) ? toNumber(val.get(`${y}|${k}`)) : null)) }));
    const table = years.map((y) => ({ year: y, values: Object.fromEntries(order.map((k) => [k, val.get(`${y}|${k}`) ?? ''])) }));
    return { years, series, table };
  }, [res.data, lang]);

  const dimName = ref ? refLabel(ds, ref, lang) : t('total');
  const title = t(ref ? 'trendsTitle' : 'trendsTotalTitle', {
    dir: term(lang, direction),
    dim: dimName,
    from: formatYear(ds.years[0], num),
    to: formatYear(baseYear, num),
  });
  const option = useMemo(
    () => lineOption(years.map((y) => formatYear(y, num)), series, { ...num, description: title }),
    [series, lang, s.digits],
  );
  type Row = (typeof table)[number];
  const columns: Column<Row>[] = [
    { key: 'year', label: t('year'), rowHeader: true, sortValue: (r) => r.year, render: (r) => formatYear(r.year, num) },
    ...series.map((sr) => ({
      key: sr.key,
      label: sr.name,
      numeric: true,
      sortValue: (r: Row) => toNumber(r.values[sr.key]),
      render: (r: Row) => <Money value={r.values[sr.key]} currency={currency} />,
    })),
  ];

  const err = top.error || res.error;
  const chart = err ? (
    <ErrorBox error={err} retry={() => (top.reload(), res.reload())} />
  ) : !res.data ? (
    <Loading />
  ) : series.length === 0 ? (
    <p>{t('noData')}</p>
  ) : (
    <EChart option={option} label={t('chartOf', { title })} testid="trends-chart" />
  );
  const tableEl = res.data && series.length > 0 && (
    <DataTable caption={t('tableOf', { title })} columns={columns} rows={table} rowKey={(r) => String(r.year)} testid="trends-table" />
  );

  if (s.embed) {
    return (
      <section class="view trends embed-view">
        <h1 class="embed-title">{title}</h1>
        {chart}
        <details>
          <summary>{t('showTable')}</summary>
          {tableEl}
        </details>
      </section>
    );
  }

  return (
    <section class="view trends" aria-labelledby="view-title">
      <h1 id="view-title">
        {t('viewTrends')} <SyntheticBadge synthetic={ds.synthetic} />
      </h1>
      <div class="panel row">
        <div class="field">
          <label for="trend-ref">{t('groupBy')}</label>
          <select id="trend-ref" value={ref} onChange={(e) => setState({ ref: (e.target as HTMLSelectElement).value })}>
            <option value="">{t('totalOnly')}</option>
            {refs.map((r) => (
              <option key={r.ref} value={r.ref}>
                {r.label}
              </option>
            ))}
          </select>
        </div>
        {ds.directions.length > 1 && (
          <Segmented
            label={t('direction')}
            value={direction}
            options={ds.directions.map((d) => ({ value: d, label: term(lang, d) }))}
            onChange={(v) => setState({ direction: v })}
          />
        )}
        <Segmented
          label={t('prices')}
          value={constant ? 'constant' : 'nominal'}
          options={[
            { value: 'nominal', label: t('nominal') },
            { value: 'constant', label: t('constant', { year: formatYear(baseYear, num) }), disabled: !deflator },
          ]}
          onChange={(v) => setState({ prices: v as 'nominal' | 'constant' })}
        />
        {!deflator && <p class="muted small">{t('noDeflator')}</p>}
      </div>
      <h2>{title}</h2>
      <div class="chart-and-table stacked">
        <div class="chart-pane">{chart}</div>
        <div class="table-pane">{tableEl}</div>
      </div>
      <EmbedCode />
    </section>
  );
}
