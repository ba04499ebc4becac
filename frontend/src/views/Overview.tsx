import { useMemo } from 'preact/hooks';
import type { ViewProps } from '../context';
import { aggregate, cut, facts, type CutInit } from '../lib/api';
import { adminDim, breakdownDims, dimLabel, functionalDim, overviewDim, populationSeries, refLabel, sumAndShare } from '../lib/catalog';
import { formatAxis, formatInt, formatMoney, formatPercentNumber, formatRate, formatYear, type NumOpts } from '../lib/format';
import { isNegative, subDecimal, toNumber } from '../lib/decimal';
import { pick, term } from '../lib/i18n';
import { forwardArrow } from '../lib/rtl';
import { setState } from '../store';
import { useAsync } from '../hooks';
import { ErrorBox, Link, Loading, MemberLabel, Money, Segmented, SyntheticBadge } from '../components/ui';
import { DataTable, type Column } from '../components/DataTable';
import { EChart } from '../components/EChart';
import { EmbedCode } from '../components/EmbedCode';
import type { Cell } from '../gen/mizan/v1/query_pb';

const SUM = 'amount.sum';
const SHARE = 'amount.share';

function change(cur: string | undefined, prev: string | undefined): number {
  const a = toNumber(cur);
  const b = toNumber(prev);
  return b ? (a - b) / Math.abs(b) : NaN;
}

function Change({ cur, prev, num }: { cur?: string; prev?: string; num: NumOpts }) {
  const c = change(cur, prev);
  if (!Number.isFinite(c)) return <span class="muted">—</span>;
  return (
    <span class={c > 0 ? 'up' : c < 0 ? 'down' : ''}>
      <span aria-hidden="true">{c > 0 ? '▲ ' : c < 0 ? '▼ ' : ''}</span>
      {formatPercentNumber(c, num, true)}
    </span>
  );
}

export function Overview({ s, ds, all, t, num }: ViewProps) {
  const dataset = ds.id;
  const version = s.version;
  const lang = s.lang;
  const dim = overviewDim(ds, s.by);
  const levels = dim?.levels ?? [];
  const depth = Math.min(s.path.length, levels.length);
  const path = s.path.slice(0, depth);
  const direction = s.direction || (ds.directions.includes('expenditure') ? 'expenditure' : (ds.directions[0] ?? ''));
  const prevYear = ds.years.includes(s.year - 1) ? s.year - 1 : 0;
  const currency = ds.currency;

  const baseCuts = (year: number): CutInit[] => [
    cut('year', [year]),
    cut('phase', [s.phase]),
    ...(direction ? [cut('direction', [direction])] : []),
    ...(depth > 0 ? [cut(levels[depth - 1].ref, [path[depth - 1]])] : []),
  ];
  const key = [dataset, version, s.year, s.phase, direction, dim?.id, path.join('\u0000'), lang].join('|');

  // Headline: totals by direction for the year (and the year before).
  const headlineReq = (year: number) => ({
    dataset,
    version,
    lang,
    drilldown: ['direction'],
    cuts: [cut('year', [year]), cut('phase', [s.phase])],
  });
  const headline = useAsync(() => aggregate(headlineReq(s.year)), [dataset, version, s.year, s.phase, lang]);
  const headlinePrev = useAsync(
    () => (prevYear ? aggregate(headlineReq(prevYear)) : undefined),
    [dataset, version, prevYear, s.phase, lang],
  );
  const pop = populationSeries(all, ds.country);
  const perCapita = useAsync(
    () => (pop ? aggregate({ ...headlineReq(s.year), normalization: { perCapita: pop.id } }) : undefined),
    [dataset, version, s.year, s.phase, pop?.id, lang],
  );

  // The treemap level: children of the current node.
  const levelReq = (year: number) =>
    depth < levels.length
      ? {
          dataset,
          version,
          lang,
          drilldown: [levels[depth].ref],
          aggregates: sumAndShare(ds),
          cuts: baseCuts(year),
          order: [{ ref: SUM, desc: true }],
          pageSize: 1000,
        }
      : undefined;
  const cells = useAsync(() => {
    const r = levelReq(s.year);
    return r && aggregate(r);
  }, [key]);
  const prevCells = useAsync(() => {
    const r = prevYear ? levelReq(prevYear) : undefined;
    return r && aggregate(r);
  }, [key, prevYear]);
  // Labels of the path (one cell with every level's label) and the node's total.
  const crumbs = useAsync(
    () =>
      depth > 0
        ? aggregate({ dataset, version, lang, drilldown: levels.slice(0, depth).map((l) => l.ref), cuts: baseCuts(s.year) })
        : undefined,
    [key],
  );
  const leaf = depth > 0 && depth === levels.length;
  const lineItems = useAsync(
    () => (leaf ? facts({ dataset, version, lang, cuts: baseCuts(s.year), pageSize: 200 }) : undefined),
    [key, leaf],
  );

  const prevByKey = useMemo(() => {
    const m = new Map<string, string>();
    if (depth < levels.length) for (const c of prevCells.data?.cells ?? []) m.set(c.keys[levels[depth].ref], c.values[SUM]);
    return m;
  }, [prevCells.data]);

  const dirValue = (r: typeof headline.data, d: string) => r?.cells.find((c) => c.keys.direction === d)?.values[SUM];
  const exp = dirValue(headline.data, 'expenditure');
  const rev = dirValue(headline.data, 'revenue');
  const balance = exp && rev ? subDecimal(rev, exp) : undefined;
  const expPrev = dirValue(headlinePrev.data, 'expenditure');
  const revPrev = dirValue(headlinePrev.data, 'revenue');
  const balancePrev = expPrev && revPrev ? subDecimal(revPrev, expPrev) : undefined;
  const expPerCapita = dirValue(perCapita.data, 'expenditure');
  const popApplied = perCapita.data?.applied.find((a) => a.kind === 'per_capita');

  const levelRef = depth < levels.length ? levels[depth].ref : '';
  const rows = cells.data?.cells ?? [];
  const nodeTotal = leaf ? crumbs.data?.summary?.values[SUM] : cells.data?.summary?.values[SUM];
  const nodeCurrency = (leaf ? crumbs.data?.currency : cells.data?.currency) || currency;
  const crumbLabels = crumbs.data?.cells[0]?.labels ?? {};
  const dimName = dim ? dimLabel(dim, lang) : '';
  const title = t('spendingBy', { dim: dimName, year: formatYear(s.year, num) });

  const drillTo = (k: string) => (depth < levels.length ? { path: [...path, k] } : undefined);

  const option = useMemo(() => {
    const data = rows
      .filter((c) => toNumber(c.values[SUM]) > 0)
      .map((c) => ({ name: c.labels[levelRef] || c.keys[levelRef], value: toNumber(c.values[SUM]), key: c.keys[levelRef], exact: c.values[SUM] }));
    return {
      aria: { enabled: true, label: { description: title } },
      tooltip: {
        formatter: (p: { data: { name: string; exact: string } }) =>
          `${escapeHtml(p.data.name)}<br/>${escapeHtml(formatMoney(p.data.exact, nodeCurrency, num))}`,
      },
      series: [
        {
          type: 'treemap',
          data,
          roam: false,
          nodeClick: false,
          breadcrumb: { show: false },
          width: '100%',
          height: '100%',
          top: 0,
          left: 0,
          label: {
            show: true,
            formatter: (p: { name: string; value: number }) => `${p.name}\n${formatAxis(p.value, num)}`,
            fontSize: 13,
            lineHeight: 18,
            overflow: 'break',
          },
          upperLabel: { show: false },
          itemStyle: { borderColor: '#fff', borderWidth: 2, gapWidth: 2 },
          levels: [{ colorSaturation: [0.35, 0.6] }],
        },
      ],
    };
  }, [rows, levelRef, num, title, nodeCurrency]);

  const columns: Column<Cell>[] = [
    {
      key: 'name',
      label: depth < levels.length ? pick(levels[depth].label, lang) || t('name') : t('name'),
      rowHeader: true,
      sortValue: (c) => c.labels[levelRef] || c.keys[levelRef],
      render: (c) => {
        const label = c.labels[levelRef] || c.keys[levelRef];
        const to = drillTo(c.keys[levelRef]);
        return to ? (
          <Link to={to} class="drill" data-key={c.keys[levelRef]} aria-label={t('drillInto', { name: label })}>
            <MemberLabel row={c} at={levelRef} />
          </Link>
        ) : (
          <MemberLabel row={c} at={levelRef} />
        );
      },
    },
    { key: 'code', label: t('code'), sortValue: (c) => c.keys[levelRef], render: (c) => <bdi>{c.keys[levelRef]}</bdi> },
    {
      key: 'amount',
      label: t('amount'),
      numeric: true,
      sortValue: (c) => toNumber(c.values[SUM]),
      render: (c) => <Money value={c.values[SUM]} currency={c.currency || nodeCurrency} />,
    },
    {
      key: 'share',
      label: t('share'),
      numeric: true,
      sortValue: (c) => toNumber(c.values[SHARE]),
      render: (c) => (c.values[SHARE] ? formatRate(c.values[SHARE], num) : '—'),
    },
    ...(prevYear
      ? [
          {
            key: 'yoy',
            label: t('yoy', { year: formatYear(prevYear, num) }),
            numeric: true,
            sortValue: (c: Cell) => change(c.values[SUM], prevByKey.get(c.keys[levelRef])),
            render: (c: Cell) => <Change cur={c.values[SUM]} prev={prevByKey.get(c.keys[levelRef])} num={num} />,
          },
        ]
      : []),
  ];

  const chart = cells.error ? (
    <ErrorBox error={cells.error} retry={cells.reload} />
  ) : !cells.data && !leaf ? (
    <Loading />
  ) : leaf ? null : rows.length === 0 ? (
    <p>{t('noData')}</p>
  ) : (
    <EChart
      option={option}
      label={t('chartOf', { title })}
      testid="treemap"
      onClick={(p) => {
        const k = (p.data as { key?: string } | undefined)?.key;
        const to = k !== undefined ? drillTo(k) : undefined;
        if (to) setState(to);
      }}
    />
  );

  const table = !leaf && rows.length > 0 && (
    <DataTable caption={t('tableOf', { title })} columns={columns} rows={rows} rowKey={(c) => c.keys[levelRef]} testid="overview-table" />
  );

  if (s.embed) {
    return (
      <section class="view overview embed-view">
        <h1 class="embed-title">{title}</h1>
        {chart}
        <details>
          <summary>{t('showTable')}</summary>
          {table}
        </details>
      </section>
    );
  }

  const funcDim = functionalDim(ds);
  const admDim = adminDim(ds);
  const byOptions = [
    ...(funcDim ? [{ value: funcDim.id, label: t('byFunction') }] : []),
    ...(admDim && admDim !== funcDim ? [{ value: admDim.id, label: t('byMinistry') }] : []),
  ];

  return (
    <section class="view overview" aria-labelledby="view-title">
      <h1 id="view-title">
        {pick(ds.title, lang)} <SyntheticBadge synthetic={ds.synthetic} />
      </h1>

      <div class="cards" data-testid="headline">
        {headline.error && <ErrorBox error={headline.error} retry={headline.reload} />}
        {headline.loading && !headline.data && <Loading />}
        {exp && (
          <Card label={t('expenditure')} value={exp} currency={headline.data!.currency || currency} testid="total-expenditure">
            {prevYear > 0 && (
              <p class="delta">
                {t('yoy', { year: formatYear(prevYear, num) })}: <Change cur={exp} prev={expPrev} num={num} />
              </p>
            )}
            {expPerCapita && (
              <p class="delta" data-testid="per-capita">
                {t('perCapita')}: <Money value={expPerCapita} currency={currency} />
                {popApplied && (
                  <span class="muted small">
                    {' '}
                    · {t('perCapitaNote', { dataset: pick(pop!.title, lang) || pop!.id, year: formatYear(popApplied.year, num) })}
                  </span>
                )}
              </p>
            )}
          </Card>
        )}
        {rev && (
          <Card label={t('revenue')} value={rev} currency={headline.data!.currency || currency} testid="total-revenue">
            {prevYear > 0 && (
              <p class="delta">
                {t('yoy', { year: formatYear(prevYear, num) })}: <Change cur={rev} prev={revPrev} num={num} />
              </p>
            )}
          </Card>
        )}
        {balance && (
          <Card
            label={`${t('balance')} (${isNegative(balance) ? t('deficit') : t('surplus')})`}
            value={balance}
            currency={headline.data!.currency || currency}
            testid="total-balance"
          >
            {prevYear > 0 && balancePrev && (
              <p class="delta">
                {t('yoy', { year: formatYear(prevYear, num) })}: <Change cur={balance} prev={balancePrev} num={num} />
              </p>
            )}
          </Card>
        )}
      </div>

      <div class="toolbar">
        {byOptions.length > 1 && (
          <Segmented
            label={t('breakdown')}
            value={dim?.id ?? ''}
            options={byOptions}
            onChange={(v) => setState({ by: v, path: [] })}
          />
        )}
        {ds.directions.length > 1 && (
          <Segmented
            label={t('direction')}
            value={direction}
            options={ds.directions.map((d) => ({ value: d, label: term(lang, d) }))}
            onChange={(v) => setState({ direction: v, path: [] })}
          />
        )}
      </div>

      <nav class="crumbs" aria-label={t('breadcrumbs')} data-testid="breadcrumbs">
        <ol>
          <li>
            {depth === 0 ? (
              <span aria-current="location">{t('all')}</span>
            ) : (
              <Link to={{ path: [] }}>{t('all')}</Link>
            )}
          </li>
          {path.map((k, i) => {
            const label = crumbLabels[levels[i].ref] || k;
            return (
              <li key={k}>
                <span class="sep" aria-hidden="true">
                  {forwardArrow(lang)}
                </span>
                {i === depth - 1 ? (
                  <span aria-current="location">{label}</span>
                ) : (
                  <Link to={{ path: path.slice(0, i + 1) }}>{label}</Link>
                )}
              </li>
            );
          })}
        </ol>
      </nav>

      <h2 class="node-title">
        {depth > 0 ? crumbLabels[levels[depth - 1].ref] || path[depth - 1] : `${term(lang, direction)} · ${dimName}`}
        {' — '}
        <span data-testid="node-total">{nodeTotal ? <Money value={nodeTotal} currency={nodeCurrency} /> : '…'}</span>
      </h2>

      {leaf ? (
        <LineItems data={lineItems.data} error={lineItems.error} num={num} t={t} currency={nodeCurrency} ds={ds} lang={lang} skip={dim?.id ?? ''} />
      ) : (
        <div class="chart-and-table">
          <div class="chart-pane">{chart}</div>
          <div class="table-pane">{table}</div>
        </div>
      )}
      <EmbedCode />
    </section>
  );
}

function Card({
  label,
  value,
  currency,
  testid,
  children,
}: {
  label: string;
  value: string;
  currency: string;
  testid: string;
  children?: preact.ComponentChildren;
}) {
  return (
    <div class="card" data-testid={testid}>
      <p class="card-label">{label}</p>
      <p class="card-value">
        <Money value={value} currency={currency} compact />
      </p>
      <p class="card-exact">
        <Money value={value} currency={currency} />
      </p>
      {children}
    </div>
  );
}

function LineItems({
  data,
  error,
  num,
  t,
  currency,
  ds,
  lang,
  skip,
}: {
  data?: Awaited<ReturnType<typeof facts>>;
  error: unknown;
  num: NumOpts;
  t: ViewProps['t'];
  currency: string;
  ds: ViewProps['ds'];
  lang: ViewProps['s']['lang'];
  skip: string;
}) {
  if (error) return <ErrorBox error={error} />;
  if (!data) return <Loading />;
  type F = (typeof data.facts)[number];
  // One column per other dimension, at its finest level (the drilled
  // dimension is already in the breadcrumbs).
  const present = new Set(Object.keys(data.facts[0]?.keys ?? {}));
  const refs = breakdownDims(ds)
    .filter((d) => d.id !== skip)
    .map((d) => [...d.levels].reverse().map((l) => l.ref).find((r) => present.has(r)))
    .filter((r): r is string => !!r);
  const cols: Column<F>[] = [
    ...refs.map((r) => ({
      key: r,
      label: refLabel(ds, r, lang),
      render: (f: F) => <MemberLabel row={f} at={r} />,
      sortValue: (f: F) => f.labels[r] || f.keys[r],
    })),
    {
      key: 'amount',
      label: t('amount'),
      numeric: true,
      sortValue: (f) => toNumber(f.amount),
      render: (f) => <Money value={f.amount} currency={f.currency || currency} />,
    },
    {
      key: 'source',
      label: t('source'),
      render: (f) =>
        f.provenance ? (
          <span class="prov">
            <bdi>{f.provenance.file}</bdi>
            {f.provenance.sheet ? ` [${f.provenance.sheet}]` : ''} · {t('row')} {formatYear(Number(f.provenance.row), num)}
          </span>
        ) : (
          ''
        ),
    },
  ];
  return (
    <DataTable
      caption={`${t('lineItems')} (${formatInt(data.facts.length, num)} / ${formatInt(data.totalCount, num)})`}
      columns={cols}
      rows={data.facts}
      rowKey={(f) => String(f.row)}
      testid="line-items"
    />
  );
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
