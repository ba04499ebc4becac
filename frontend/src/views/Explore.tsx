import { useMemo, useState } from 'preact/hooks';
import type { ViewProps } from '../context';
import { aggregate, cut, exportFile, listMembers, type AggregateInit, type CutInit } from '../lib/api';
import { functionalDim, breakdownDims, levelRefs, refLabel, sumAndShare } from '../lib/catalog';
import { formatInt, formatMoney, formatRate, formatYear } from '../lib/format';
import { toNumber } from '../lib/decimal';
import { listSep, term } from '../lib/i18n';
import type { ChartKind, CutState } from '../lib/url';
import { setState } from '../store';
import { useAsync } from '../hooks';
import { ErrorBox, Link, Loading, MemberLabel, Money, Segmented, SyntheticBadge } from '../components/ui';
import { DataTable, type Column } from '../components/DataTable';
import { EChart } from '../components/EChart';
import { EmbedCode } from '../components/EmbedCode';
import { Download } from '../components/Download';
import { barOption, sankeyOption, sunburstOption, treemapOption, type Node } from '../charts/options';
import type { Cell } from '../gen/mizan/v1/query_pb';
import type { DatasetSummary } from '../gen/mizan/v1/catalog_pb';
import { budgetRef, citingDatasets } from '../lib/budgetLinks';
import { DEFAULT_CONTRACTS } from '../lib/contractsUrl';

const SUM = 'amount.sum';
const SHARE = 'amount.share';
const FIXED = ['year', 'phase', 'direction'];

/** The request Explore shows (and exports): drilldown, the user's cuts, and year/phase/direction unless grouped or cut by them. */
export function exploreRequest(p: ViewProps, limit: number): AggregateInit {
  const { s, ds } = p;
  const drill = effectiveDrill(p);
  const has = (ref: string) => drill.includes(ref) || s.cuts.some((c) => c.dim === ref);
  const direction = s.direction || (ds.directions.includes('expenditure') ? 'expenditure' : '');
  const cuts: CutInit[] = [
    ...(has('year') ? [] : [cut('year', [s.year])]),
    ...(has('phase') || !s.phase ? [] : [cut('phase', [s.phase])]),
    ...(has('direction') || !direction ? [] : [cut('direction', [direction])]),
    ...s.cuts.map((c) => cut(c.dim, c.values)),
  ];
  const desc = s.sort.startsWith('-') || !s.sort;
  const key = s.sort.replace(/^-/, '') || SUM;
  return {
    dataset: ds.id,
    version: s.version,
    lang: s.lang,
    drilldown: drill,
    cuts,
    aggregates: sumAndShare(ds),
    order: [{ ref: key === 'amount' ? SUM : key, desc }],
    pageSize: limit,
  };
}

/**
 * How many processes of the same country's contracts cite each key as a
 * budget line (planning.budget id or project id): one search with every
 * key, counted by the search's budget facet. The contracts client loads
 * only when there are contracts to ask.
 */
async function citingCounts(sets: DatasetSummary[], keys: string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (!sets.length || !keys.length) return out;
  const { search } = await import('../lib/contracts');
  const res = await search({ datasets: sets.map((d) => ({ id: d.id, version: 0 })), budgetIds: keys, pageSize: 1 });
  for (const v of res.facets.find((f) => f.name === 'budget')?.values ?? []) out.set(v.key, Number(v.count));
  return out;
}

export function effectiveDrill({ s, ds }: ViewProps): string[] {
  if (s.drill.length) return s.drill;
  const d = functionalDim(ds) ?? breakdownDims(ds)[0];
  return d ? [d.levels[0].ref] : ['year'];
}

export function Explore(p: ViewProps) {
  const { s, ds, t, num } = p;
  const lang = s.lang;
  const [limit, setLimit] = useState(500);
  const drill = effectiveDrill(p);
  const req = exploreRequest(p, limit);
  const reqKey = JSON.stringify(req);
  const res = useAsync(() => aggregate(req), [reqKey]);
  const cells = res.data?.cells ?? [];
  const currency = res.data?.currency || ds.currency;
  const refs = levelRefs(ds, lang);
  const title = drill.map((r) => refLabel(ds, r, lang)).join(' × ');
  const citing = citingDatasets(p.all, ds.country);
  const cofog = ds.dimensions.find((d) => d.classification.toLowerCase() === 'cofog')?.id ?? '';
  const lineRef = budgetRef(drill, cofog);
  const lineKeys = lineRef ? [...new Set(cells.map((c) => c.keys[lineRef]).filter(Boolean))].slice(0, 500) : [];
  const counts = useAsync(() => citingCounts(citing, lineKeys), [citing.map((d) => d.id).join(','), lineKeys.join('\u0000')]);

  const labelOf = (c: Cell, ref: string) => c.labels[ref] || (ref === 'year' ? formatYear(Number(c.keys[ref]), num) : FIXED.includes(ref) ? term(lang, c.keys[ref]) : c.keys[ref]);

  // Where contracts of the same country cite a line shown: its count,
  // linked to those contracts, beside the line's key.
  const sets = citing.map((d) => ({ id: d.id, version: 0 }));
  const citingLink = (line: string) => {
    const n = counts.data?.get(line) ?? 0;
    return n ? (
      <span class="small">
        {' · '}
        <Link
          to={{ view: 'contracts', embed: false, contracts: { ...DEFAULT_CONTRACTS, budgets: [line], sets } }}
          title={t('citingContractsOf', { n: formatInt(n, num), line })}
          data-testid="citing-contracts"
          data-line={line}
          data-count={n}
        >
          {t('citingContracts', { n: formatInt(n, num) })}
        </Link>
      </span>
    ) : null;
  };

  const columns: Column<Cell>[] = [
    ...drill.map((ref, i) => ({
      key: ref,
      label: refLabel(ds, ref, lang),
      rowHeader: i === 0,
      render: (c: Cell) => (
        <span>
          {c.labels[ref] && !FIXED.includes(ref) ? <MemberLabel row={c} at={ref} /> : labelOf(c, ref)}
          {c.labels[ref] && c.labels[ref] !== c.keys[ref] && (
            <span class="muted small">
              {' '}
              (<bdi>{c.keys[ref]}</bdi>)
            </span>
          )}
          {ref === lineRef && citingLink(c.keys[ref])}
        </span>
      ),
    })),
    { key: 'amount', label: t('amount'), numeric: true, render: (c) => <Money value={c.values[SUM]} currency={c.currency || currency} /> },
    { key: SHARE, label: t('share'), numeric: true, render: (c) => (c.values[SHARE] ? formatRate(c.values[SHARE], num) : '—') },
  ];
  const option = useMemo(() => {
    const description = t('chartOf', { title });
    const tooltip = (n: Node) => `${escape(n.name)}<br/>${escape(formatMoney(String(n.value), currency, { ...num, decimals: 0 }))}`;
    const positive = cells.filter((c) => toNumber(c.values[SUM]) > 0);
    if (s.chart === 'bar' || drill.length === 1 && s.chart === 'sankey') {
      const byFirst = new Map<string, { name: string; value: number }>();
      for (const c of cells) {
        const k = c.keys[drill[0]];
        const e = byFirst.get(k) ?? { name: labelOf(c, drill[0]), value: 0 };
        e.value += toNumber(c.values[SUM]);
        byFirst.set(k, e);
      }
      let items = [...byFirst.values()];
      if (drill[0] !== 'year') items = items.sort((a, b) => b.value - a.value);
      return barOption(items.slice(0, 30), { ...num, description });
    }
    if (s.chart === 'sankey') {
      const links = positive.map((c) => ({ from: labelOf(c, drill[0]), to: labelOf(c, drill[1]) + '\u200b', value: toNumber(c.values[SUM]) }));
      return sankeyOption(links, { ...num, description });
    }
    // Treemap and sunburst: nest by the drilldown, outermost first.
    const root: Node[] = [];
    for (const c of positive) {
      let level = root;
      drill.forEach((ref, i) => {
        const key = c.keys[ref];
        let n = level.find((x) => x.key === key);
        if (!n) {
          n = { name: labelOf(c, ref), key, value: 0, ...(i < drill.length - 1 ? { children: [] } : {}) };
          level.push(n);
        }
        n.value += toNumber(c.values[SUM]);
        level = n.children ?? [];
      });
    }
    return s.chart === 'sunburst' ? sunburstOption(root, { ...num, description, tooltip }) : treemapOption(root, { ...num, description, tooltip });
  }, [res.data, s.chart, lang, s.digits]);

  const chart = res.error ? (
    <ErrorBox error={res.error} retry={res.reload} />
  ) : !res.data ? (
    <Loading />
  ) : cells.length === 0 ? (
    <p>{t('noData')}</p>
  ) : (
    <EChart option={option} label={t('chartOf', { title })} testid="explore-chart" height={460} />
  );

  const table = res.data && cells.length > 0 && (
    <DataTable
      caption={t('tableOf', { title })}
      columns={columns}
      rows={cells}
      sort={s.sort || '-amount'}
      onSort={(sort) => setState({ sort: sort.replace(/^(-?)amount$/, '$1amount') })}
      rowKey={(c) => drill.map((r) => c.keys[r]).join('\u0000')}
      testid="explore-table"
      footer={
        res.data.summary?.values[SUM] && (
          <tr>
            <th scope="row" colSpan={drill.length}>
              {t('total')}
            </th>
            <td class="num" data-testid="explore-total">
              <Money value={res.data.summary.values[SUM]} currency={currency} />
            </td>
            <td class="num" />
          </tr>
        )
      }
    />
  );

  if (s.embed) {
    return (
      <section class="view explore embed-view">
        <h1 class="embed-title">{title}</h1>
        {chart}
        <details>
          <summary>{t('showTable')}</summary>
          {table}
        </details>
      </section>
    );
  }

  const used = new Set(drill);
  const chartKinds: { value: ChartKind; label: string; disabled?: boolean }[] = [
    { value: 'bar', label: t('chartBar') },
    { value: 'treemap', label: t('chartTreemap') },
    { value: 'sunburst', label: t('chartSunburst') },
    { value: 'sankey', label: t('chartSankey'), disabled: drill.length < 2 },
  ];

  return (
    <section class="view explore" aria-labelledby="view-title">
      <h1 id="view-title">
        {t('viewExplore')} <SyntheticBadge synthetic={ds.synthetic} />
      </h1>
      <div class="panel">
        <fieldset class="row plain">
          <legend>{t('drilldown')}</legend>
          {drill.map((ref, i) => (
            <span class="field" key={i}>
              <label for={`dd-${i}`} class="sr-only">
                {t('drilldown')} {i + 1}
              </label>
              <span class="row">
                <select
                  id={`dd-${i}`}
                  value={ref}
                  data-testid={`drill-${i}`}
                  onChange={(e) => {
                    const next = [...drill];
                    next[i] = (e.target as HTMLSelectElement).value;
                    setState({ drill: next, sort: '' });
                  }}
                >
                  {refs
                    .filter((r) => r.ref === ref || !used.has(r.ref))
                    .map((r) => (
                      <option key={r.ref} value={r.ref}>
                        {r.label}
                      </option>
                    ))}
                </select>
                {drill.length > 1 && (
                  <button
                    type="button"
                    aria-label={`${t('remove')}: ${refLabel(ds, ref, lang)}`}
                    onClick={() => setState({ drill: drill.filter((_, j) => j !== i), sort: '' })}
                  >
                    ✕
                  </button>
                )}
              </span>
            </span>
          ))}
          {drill.length < 3 && refs.some((r) => !used.has(r.ref)) && (
            <button
              type="button"
              data-testid="add-drill"
              onClick={() => setState({ drill: [...drill, refs.find((r) => !used.has(r.ref))!.ref], sort: '' })}
            >
              + {t('addDrilldown')}
            </button>
          )}
        </fieldset>
        <Filters {...p} />
        <div class="row">
          <Segmented label={t('chartType')} value={s.chart} options={chartKinds} onChange={(chart) => setState({ chart })} />
          <Download file={(format) => exportFile({ aggregate: { ...req, pageSize: 0 } }, format)} />
        </div>
      </div>
      <div class="chart-and-table">
        <div class="chart-pane">{chart}</div>
        <div class="table-pane">
          {table}
          {res.data && res.data.nextPageToken && (
            <p>
              {t('rowsShown', { n: cells.length })} / {String(res.data.totalCellCount)}{' '}
              <button type="button" onClick={() => setLimit(Math.min(10000, limit * 2))}>
                {t('moreRows')}
              </button>
            </p>
          )}
        </div>
      </div>
      <EmbedCode />
    </section>
  );
}

function Filters(p: ViewProps) {
  const { s, ds, t, num } = p;
  const lang = s.lang;
  const refs = levelRefs(ds, lang);
  const [dim, setDim] = useState('');
  const [search, setSearch] = useState('');
  const [picked, setPicked] = useState<string[]>([]);
  const fixedValues = (ref: string) =>
    ref === 'year' ? ds.years.map(String) : ref === 'phase' ? ds.phases : ref === 'direction' ? ds.directions : null;
  const members = useAsync(
    () =>
      dim && !fixedValues(dim)
        ? listMembers({ dataset: ds.id, version: s.version, dimension: dim, search, lang, pageSize: 200 })
        : undefined,
    [dim, search, lang, ds.id, s.version],
  );
  const options: { key: string; label: string }[] = dim
    ? (fixedValues(dim)?.map((k) => ({ key: k, label: dim === 'year' ? formatYear(Number(k), num) : term(lang, k) })) ??
      members.data?.members.map((m) => ({ key: m.key, label: m.label || m.key })) ??
      [])
    : [];
  const apply = () => {
    if (!dim || !picked.length) return;
    const others = s.cuts.filter((c) => c.dim !== dim);
    setState({ cuts: [...others, { dim, values: picked }] });
    setDim('');
    setPicked([]);
    setSearch('');
  };
  const remove = (c: CutState) => setState({ cuts: s.cuts.filter((x) => x !== c) });

  return (
    <fieldset class="plain">
      <legend>{t('filters')}</legend>
      <ul class="row plain-list" data-testid="cuts">
        {s.cuts.map((c) => (
          <li class="chip" key={c.dim}>
            {refLabel(ds, c.dim, lang)}: {c.values.map((v) => (c.dim === 'year' ? formatYear(Number(v), num) : term(lang, v))).join(listSep(lang))}
            <button type="button" aria-label={`${t('remove')}: ${refLabel(ds, c.dim, lang)}`} onClick={() => remove(c)}>
              ✕
            </button>
          </li>
        ))}
      </ul>
      <div class="row">
        <div class="field">
          <label for="cut-dim">{t('filterDim')}</label>
          <select
            id="cut-dim"
            value={dim}
            onChange={(e) => {
              setDim((e.target as HTMLSelectElement).value);
              setPicked([]);
            }}
          >
            <option value="">—</option>
            {refs.map((r) => (
              <option key={r.ref} value={r.ref}>
                {r.label}
              </option>
            ))}
          </select>
        </div>
        {dim && !fixedValues(dim) && (
          <div class="field">
            <label for="cut-search">{t('search')}</label>
            <input id="cut-search" type="search" value={search} onInput={(e) => setSearch((e.target as HTMLInputElement).value)} />
          </div>
        )}
      </div>
      {dim && (
        <div class="checklist" role="group" aria-label={t('filterValues')}>
          {members.loading && !fixedValues(dim) ? (
            <Loading />
          ) : (
            options.map((o) => (
              <label key={o.key}>
                <input
                  type="checkbox"
                  checked={picked.includes(o.key)}
                  onChange={(e) =>
                    setPicked((e.target as HTMLInputElement).checked ? [...picked, o.key] : picked.filter((k) => k !== o.key))
                  }
                />{' '}
                {o.label} {o.label !== o.key && <span class="muted small">(<bdi>{o.key}</bdi>)</span>}
              </label>
            ))
          )}
        </div>
      )}
      {dim && (
        <button type="button" onClick={apply} disabled={!picked.length}>
          {t('addFilter')}
        </button>
      )}
    </fieldset>
  );
}

function escape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
