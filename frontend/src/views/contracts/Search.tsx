// Search: text (Arabic and English), filters, facets with counts, a result
// table sorted by amount or date, and paging. Every piece of it is in the
// URL, the dataset versions searched included (pinned from the response).
import { useEffect, useState } from 'preact/hooks';
import { useAsync } from '../../hooks';
import { ErrorBox, Loading, Money, Segmented } from '../../components/ui';
import { DataTable, type Column } from '../../components/DataTable';
import type { ContractHit, Facet, SearchContractsResponse } from '../../gen/mizan/v1/contracts_pb';
import { RecordKind, dsRef, exportSearch, flagTitle, pinnedSets, search, searchRequest } from '../../lib/contracts';
import { ExportFormat } from '../../lib/api';
import { Download } from '../../components/Download';
import {
  NO_FILTERS,
  PAGE_SIZES,
  encodeDsRef,
  facetActive,
  facetPatch,
  rangeYear,
  withSearch,
  type Competitive,
  type ContractsState,
  type RecordKindName,
} from '../../lib/contractsUrl';
import { formatInt, formatYear } from '../../lib/format';
import { isDecimal } from '../../lib/decimal';
import { listSep, pick } from '../../lib/i18n';
import { ContractLink, FlagBadges, PartyLink, SourceText, go, methodLabel, moneyDatasets, recordKindLabel, type PageProps } from './common';
import type { MsgKey } from '../../lib/i18n';

const FACETS: { name: string; key: MsgKey }[] = [
  { name: 'kind', key: 'kind' },
  { name: 'dataset', key: 'dataset' },
  { name: 'year', key: 'year' },
  { name: 'method', key: 'method' },
  { name: 'currency', key: 'currency' },
  { name: 'flag', key: 'redFlags' },
  { name: 'buyer', key: 'buyers' },
  { name: 'supplier', key: 'suppliers' },
  { name: 'budget', key: 'budgetLines' },
];

const METHODS = ['open', 'selective', 'limited', 'direct', ''];


export function Search(p: PageProps) {
  const { c, t } = p;
  const req = searchRequest(c);
  const reqKey = JSON.stringify(req);
  const res = useAsync(() => search(req), [reqKey]);
  if (res.data) rememberFacets(res.data.facets);

  // Pin the dataset versions searched, so the address reproduces exactly this.
  useEffect(() => {
    if (!res.data) return;
    const pinned = pinnedSets(c.sets, res.data.datasets);
    if (pinned) go(c, { sets: pinned }, { replace: true });
  }, [res.data]);

  return (
    <>
      <SearchBox {...p} />
      <div class="search-layout">
        <aside class="search-side" aria-label={t('filters')}>
          <Filters {...p} res={res.data} />
          {res.data && <Facets {...p} facets={res.data.facets} />}
        </aside>
        <section class="search-results" aria-labelledby="results-title">
          <h2 id="results-title" class="sr-only">
            {t('results')}
          </h2>
          {res.error ? (
            <ErrorBox error={res.error} retry={res.reload} />
          ) : !res.data ? (
            <Loading />
          ) : (
            <Results {...p} res={res.data} loading={res.loading} />
          )}
        </section>
      </div>
    </>
  );
}

function SearchBox({ c, t }: PageProps) {
  const [q, setQ] = useState(c.q);
  useEffect(() => setQ(c.q), [c.q]);
  return (
    <form
      role="search"
      class="searchbox"
      onSubmit={(e) => {
        e.preventDefault();
        go(c, withSearch(c, { q: q.trim() }));
      }}
    >
      <label for="contracts-q" class="sr-only">
        {t('searchLabel')}
      </label>
      <input
        id="contracts-q"
        type="search"
        dir="auto"
        value={q}
        placeholder={t('searchPlaceholder')}
        data-testid="contracts-q"
        onInput={(e) => setQ((e.target as HTMLInputElement).value)}
      />
      <button type="submit" class="primary" data-testid="contracts-search">
        {t('search')}
      </button>
    </form>
  );
}

function Filters(p: PageProps & { res: SearchContractsResponse | undefined }) {
  const { c, t, num, catalog, defs, res } = p;
  const lang = p.s.lang;
  const all = moneyDatasets(catalog);
  const searched = c.sets.length ? c.sets : (res?.datasets.map((d) => ({ id: d.id, version: d.version })) ?? []);
  const [min, setMin] = useState(c.min);
  const [max, setMax] = useState(c.max);
  const [from, setFrom] = useState(c.from);
  const [to, setTo] = useState(c.to);
  useEffect(() => {
    setMin(c.min);
    setMax(c.max);
    setFrom(c.from);
    setTo(c.to);
  }, [c.min, c.max, c.from, c.to]);
  const badMin = min !== '' && !isDecimal(min);
  const badMax = max !== '' && !isDecimal(max);
  const set = (patch: Partial<ContractsState>) => go(c, withSearch(c, patch));
  const kind: RecordKindName | '' = c.kinds.length === 1 ? c.kinds[0] : '';
  const anyFilter =
    c.kinds.length + c.buyers.length + c.suppliers.length + c.methods.length + c.currencies.length + c.flags.length + c.budgets.length > 0 ||
    !!(c.min || c.max || c.from || c.to || c.competitive);

  return (
    <div class="panel filters" data-testid="contracts-filters">
      <h2 class="panel-title">{t('filters')}</h2>
      {all.length > 1 && (
        <fieldset class="plain">
          <legend>{t('datasets')}</legend>
          {all.map((d) => {
            const on = searched.find((x) => x.id === d.id);
            return (
              <label key={d.id} class="check">
                <input
                  type="checkbox"
                  checked={!!on}
                  disabled={!!on && searched.length === 1}
                  data-testid={`ds-${d.id}`}
                  onChange={() =>
                    set({ sets: on ? searched.filter((x) => x.id !== d.id) : [...searched, { id: d.id, version: 0 }] })
                  }
                />{' '}
                <bdi>{pick(d.title, lang) || d.id}</bdi>
                {on && on.version > 0 && (
                  <span class="muted small">
                    {' '}
                    ({t('version')} {formatYear(on.version, num)})
                  </span>
                )}
                {d.synthetic && <span class="muted small"> · {t('synthetic')}</span>}
              </label>
            );
          })}
        </fieldset>
      )}
      <div class="field">
        <span class="label" id="kind-label">
          {t('kind')}
        </span>
        <Segmented
          label={t('kind')}
          value={kind}
          options={[
            { value: '', label: t('all') },
            { value: 'process', label: t('kindProcesses') },
            { value: 'payment', label: t('kindPayments') },
          ]}
          onChange={(v) => set({ kinds: v ? [v] : [] })}
        />
      </div>
      <div class="field">
        <label for="f-method">{t('method')}</label>
        <select
          id="f-method"
          value={c.methods.length === 1 ? c.methods[0] : c.methods.length ? '*' : '-'}
          onChange={(e) => {
            const v = (e.target as HTMLSelectElement).value;
            if (v !== '*') set({ methods: v === '-' ? [] : [v] });
          }}
        >
          <option value="-">{t('all')}</option>
          {c.methods.length > 1 && <option value="*">{c.methods.map((m) => methodLabel(t, m)).join(listSep(lang))}</option>}
          {METHODS.map((m) => (
            <option key={m} value={m}>
              {methodLabel(t, m)}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <span class="label">{t('competitive')}</span>
        <Segmented<Competitive>
          label={t('competitive')}
          value={c.competitive}
          options={[
            { value: '', label: t('all') },
            { value: 'yes', label: t('competitiveYes') },
            { value: 'no', label: t('competitiveNo') },
          ]}
          onChange={(v) => set({ competitive: v })}
        />
      </div>
      <div class="field">
        <label for="f-flag">{t('redFlag')}</label>
        <select
          id="f-flag"
          value={c.flags.length === 1 ? c.flags[0] : c.flags.length ? '*' : ''}
          data-testid="f-flag"
          onChange={(e) => {
            const v = (e.target as HTMLSelectElement).value;
            if (v !== '*') set({ flags: v ? [v] : [] });
          }}
        >
          <option value="">{t('all')}</option>
          {c.flags.length > 1 && <option value="*">{c.flags.map((f) => flagTitle(defs, f, lang)).join(listSep(lang))}</option>}
          {(defs ?? []).map((d) => (
            <option key={d.code} value={d.code}>
              {pick(d.title, lang) || d.code}
            </option>
          ))}
        </select>
      </div>
      <form
        class="ranges"
        onSubmit={(e) => {
          e.preventDefault();
          if (badMin || badMax) return;
          set({ min: min.trim(), max: max.trim(), from, to });
        }}
      >
        <fieldset class="plain">
          <legend>{t('amountRange')}</legend>
          <div class="row">
            <div class="field">
              <label for="f-min">{t('minimum')}</label>
              <input
                id="f-min"
                type="text"
                inputMode="decimal"
                dir="ltr"
                size={10}
                value={min}
                aria-invalid={badMin || undefined}
                onInput={(e) => setMin((e.target as HTMLInputElement).value)}
              />
            </div>
            <div class="field">
              <label for="f-max">{t('maximum')}</label>
              <input
                id="f-max"
                type="text"
                inputMode="decimal"
                dir="ltr"
                size={10}
                value={max}
                aria-invalid={badMax || undefined}
                onInput={(e) => setMax((e.target as HTMLInputElement).value)}
              />
            </div>
          </div>
          {(badMin || badMax) && (
            <p class="field-error" role="alert">
              {t('notANumber')}
            </p>
          )}
        </fieldset>
        <fieldset class="plain">
          <legend>{t('dateRange')}</legend>
          <div class="row">
            <div class="field">
              <label for="f-from">{t('fromDate')}</label>
              <input id="f-from" type="date" value={from} onInput={(e) => setFrom((e.target as HTMLInputElement).value)} />
            </div>
            <div class="field">
              <label for="f-to">{t('toDate')}</label>
              <input id="f-to" type="date" value={to} onInput={(e) => setTo((e.target as HTMLInputElement).value)} />
            </div>
          </div>
        </fieldset>
        <button type="submit">{t('apply')}</button>
      </form>
      <ActiveFilters {...p} />
      {anyFilter && (
        <button type="button" class="linklike" data-testid="clear-filters" onClick={() => set(NO_FILTERS)}>
          {t('clearFilters')}
        </button>
      )}
    </div>
  );
}

/** The filters in force as removable chips (buyers and suppliers by name when a facet names them). */
function ActiveFilters(p: PageProps & { res?: SearchContractsResponse }) {
  const { c, t, num, defs } = p;
  const lang = p.s.lang;
  const chips: { key: string; label: string; patch: Partial<ContractsState> }[] = [];
  const labelOf = (facet: string, key: string) =>
    lastFacets.get(facet)?.values.find((v) => v.key === key)?.label || key;
  for (const b of c.buyers) chips.push({ key: 'b' + b, label: `${t('buyer')}: ${labelOf('buyer', b)}`, patch: { buyers: c.buyers.filter((x) => x !== b) } });
  for (const s of c.suppliers) chips.push({ key: 's' + s, label: `${t('supplier')}: ${labelOf('supplier', s)}`, patch: { suppliers: c.suppliers.filter((x) => x !== s) } });
  for (const m of c.methods) chips.push({ key: 'm' + m, label: `${t('method')}: ${methodLabel(t, m)}`, patch: { methods: c.methods.filter((x) => x !== m) } });
  for (const cur of c.currencies) chips.push({ key: 'c' + cur, label: `${t('currency')}: ${cur}`, patch: { currencies: c.currencies.filter((x) => x !== cur) } });
  for (const f of c.flags) chips.push({ key: 'f' + f, label: `${t('redFlag')}: ${flagTitle(defs, f, lang)}`, patch: { flags: c.flags.filter((x) => x !== f) } });
  for (const b of c.budgets) chips.push({ key: 'bl' + b, label: `${t('budgetLine')}: ${b}`, patch: { budgets: c.budgets.filter((x) => x !== b) } });
  if (c.min) chips.push({ key: 'min', label: `${t('minimum')}: ${c.min}`, patch: { min: '' } });
  if (c.max) chips.push({ key: 'max', label: `${t('maximum')}: ${c.max}`, patch: { max: '' } });
  const y = rangeYear(c.from, c.to);
  if (y) chips.push({ key: 'y', label: `${t('year')}: ${formatYear(y, num)}`, patch: { from: '', to: '' } });
  else {
    if (c.from) chips.push({ key: 'from', label: `${t('fromDate')}: ${c.from}`, patch: { from: '' } });
    if (c.to) chips.push({ key: 'to', label: `${t('toDate')}: ${c.to}`, patch: { to: '' } });
  }
  if (!chips.length) return null;
  return (
    <ul class="row plain-list active-filters" aria-label={t('activeFilters')} data-testid="active-filters">
      {chips.map((ch) => (
        <li class="chip" key={ch.key}>
          <bdi>{ch.label}</bdi>
          <button type="button" aria-label={`${t('remove')}: ${ch.label}`} onClick={() => go(c, withSearch(c, ch.patch))}>
            ✕
          </button>
        </li>
      ))}
    </ul>
  );
}

// Facet values seen, so chips can name an entity the URL gives by id even
// when the current answer's top 10 does not list it.
const lastFacets = new Map<string, Facet>();

function rememberFacets(facets: Facet[]) {
  for (const f of facets) {
    const prev = lastFacets.get(f.name);
    const keep = prev ? prev.values.filter((v) => !f.values.some((x) => x.key === v.key)).slice(0, 200) : [];
    lastFacets.set(f.name, { ...f, values: [...f.values, ...keep] } as Facet);
  }
}

function Facets(p: PageProps & { facets: Facet[] }) {
  const { c, t, num, defs } = p;
  const lang = p.s.lang;
  const label = (name: string, key: string, fallback: string) => {
    if (name === 'method') return methodLabel(t, key);
    if (name === 'flag') return flagTitle(defs, key, lang);
    if (name === 'year') return formatYear(Number(key), num);
    if (name === 'kind') {
      const k = key.toLowerCase();
      if (k === '1' || k.includes('process')) return t('kindProcesses');
      if (k === '2' || k.includes('payment')) return t('kindPayments');
    }
    if (name === 'dataset') {
      const d = p.catalog.find((x) => x.id === key || key.startsWith(x.id + '@'));
      if (d) return (pick(d.title, lang) || d.id) + (d.synthetic ? ` (${t('synthetic')})` : '');
    }
    return fallback || key || '—';
  };
  const ordered = FACETS.map((f) => ({ ...f, facet: p.facets.find((x) => x.name === f.name) })).filter(
    (f) => f.facet && f.facet.values.length > 0,
  );
  if (!ordered.length) return null;
  return (
    <div class="panel facets" data-testid="facets">
      <h2 class="panel-title">{t('facets')}</h2>
      {ordered.map(({ name, key, facet }) => (
        <section key={name} class="facet" aria-labelledby={`facet-${name}`} data-facet={name}>
          <h3 id={`facet-${name}`}>{t(key)}</h3>
          <ul class="plain-list">
            {facet!.values.map((v) => {
              const patch = facetPatch(c, name, v.key);
              const active = facetActive(c, name, v.key);
              const text = label(name, v.key, v.label);
              return (
                <li key={v.key}>
                  <button
                    type="button"
                    class="facet-value"
                    aria-pressed={active}
                    disabled={!patch}
                    data-key={v.key}
                    onClick={() => patch && go(c, withSearch(c, patch))}
                  >
                    <bdi class="facet-label">{text}</bdi>
                    <span class="facet-count">
                      <span class="sr-only">: </span>
                      {formatInt(v.count, num)}
                    </span>
                  </button>
                </li>
              );
            })}
          </ul>
        </section>
      ))}
    </div>
  );
}

function Results(p: PageProps & { res: SearchContractsResponse; loading: boolean }) {
  const { c, t, num, res, defs } = p;
  const lang = p.s.lang;
  const size = c.size || 20;
  const pageNo = c.pages.length + 1;
  const first = (pageNo - 1) * size + 1;
  const last = first + res.results.length - 1;
  const columns: Column<ContractHit>[] = [
    {
      key: 'title',
      label: t('titleCol'),
      rowHeader: true,
      sortable: false,
      render: (h) => (
        <span>
          {h.kind === RecordKind.PROCESS ? (
            <ContractLink c={c} ds={dsRef(h.dataset)} ocid={h.ocid}>
              <SourceText ds={h.dataset?.id} text={h.title || h.ocid} />
            </ContractLink>
          ) : (
            <SourceText ds={h.dataset?.id} text={h.title || '—'} />
          )}
          <span class="muted small hit-meta">
            {' '}
            · {recordKindLabel(t, h.kind)}
            {h.ocid && (
              <>
                {' '}
                · <bdi dir="ltr">{h.ocid}</bdi>
              </>
            )}
            {h.attributes.transaction && (
              <>
                {' '}
                · {t('transaction')} <bdi dir="ltr">{h.attributes.transaction}</bdi>
              </>
            )}
            {h.kind === RecordKind.PAYMENT && h.source?.file && (
              <>
                {' '}
                · <code dir="ltr" title={h.source.sha256 ? `SHA-256 ${h.source.sha256}` : undefined}>
                  {h.source.file}
                  {h.source.row > 0n ? ` #${h.source.row}` : ''}
                </code>
              </>
            )}
          </span>
        </span>
      ),
    },
    { key: 'buyer', label: t('buyer'), sortable: false, render: (h) => <PartyLink c={c} ds={dsRef(h.dataset)} party={h.buyer} /> },
    {
      key: 'suppliers',
      label: t('suppliers'),
      sortable: false,
      render: (h) =>
        h.suppliers.length ? (
          <ul class="plain-list">
            {h.suppliers.map((s) => (
              <li key={s.entity || s.name}>
                <PartyLink c={c} ds={dsRef(h.dataset)} party={s} />
              </li>
            ))}
          </ul>
        ) : (
          <span class="muted">—</span>
        ),
    },
    {
      key: 'method',
      label: t('method'),
      sortable: false,
      render: (h) =>
        h.kind === RecordKind.PAYMENT ? (
          <span class="muted">—</span>
        ) : (
          <span title={h.methodDetails || undefined}>{methodLabel(t, h.method)}</span>
        ),
    },
    { key: 'date', label: t('date'), render: (h) => <bdi class="nowrap">{h.date || '—'}</bdi> },
    { key: 'amount', label: t('amount'), numeric: true, render: (h) => <Money value={h.amount} currency={h.currency} /> },
    { key: 'flags', label: t('redFlags'), sortable: false, render: (h) => <FlagBadges codes={h.flags} defs={defs} t={t} lang={lang} /> },
  ];
  // Payments have no procurement method: no column for it when only payments are shown.
  const shown = res.results.every((h) => h.kind === RecordKind.PAYMENT) ? columns.filter((x) => x.key !== 'method') : columns;
  const sort = (c.asc ? '' : '-') + c.sort;
  return (
    <>
      <div class="results-bar">
        <p role="status" aria-live="polite" data-testid="results-count" data-total={String(res.totalCount)}>
          {res.totalCount === 0n
            ? t('noResults')
            : t('resultsRange', { from: formatInt(first, num), to: formatInt(last, num), total: formatInt(res.totalCount, num) })}
          {p.loading && <span class="spinner" aria-hidden="true" />}
        </p>
        <div class="row">
          {res.totalCount > 0n && <Download file={() => exportSearch({ ...searchRequest(c), datasets: res.datasets })} formats={[ExportFormat.CSV]} />}
          <Segmented
            label={t('sortByLabel')}
            value={c.sort}
            options={[
              { value: 'amount', label: t('amount') },
              { value: 'date', label: t('date') },
            ]}
            onChange={(v) => go(c, withSearch(c, { sort: v }))}
          />
          <button
            type="button"
            aria-pressed={c.asc}
            data-testid="sort-direction"
            onClick={() => go(c, withSearch(c, { asc: !c.asc }))}
          >
            {c.asc ? t('ascending') : t('descending')}
          </button>
          <label class="inline">
            {t('perPage')}{' '}
            <select value={String(size)} onChange={(e) => go(c, withSearch(c, { size: Number((e.target as HTMLSelectElement).value) === 20 ? 0 : Number((e.target as HTMLSelectElement).value) }))}>
              {PAGE_SIZES.map((n) => (
                <option key={n} value={String(n)}>
                  {formatInt(n, num)}
                </option>
              ))}
            </select>
          </label>
        </div>
      </div>
      {res.results.length > 0 && (
        <DataTable
          caption={t('resultsCaption', { q: c.q || t('all') })}
          columns={shown}
          rows={res.results}
          sort={sort}
          onSort={(s) => go(c, withSearch(c, { sort: s.replace(/^-/, '') === 'date' ? 'date' : 'amount', asc: !s.startsWith('-') }))}
          rowKey={(h) => `${h.dataset?.id}|${h.kind}|${String(h.recordId)}`}
          testid="contracts-results"
        />
      )}
      <nav class="pager row" aria-label={t('pages')}>
        <button type="button" disabled={!c.pages.length} data-testid="prev-page" onClick={() => go(c, { pages: c.pages.slice(0, -1) })}>
          {t('previous')}
        </button>
        <span>{t('pageN', { n: formatInt(pageNo, num) })}</span>
        <button
          type="button"
          disabled={!res.nextPageToken}
          data-testid="next-page"
          onClick={() => go(c, { pages: [...c.pages, res.nextPageToken] })}
        >
          {t('next')}
        </button>
        <span class="muted small">
          {t('searched')}:{' '}
          {res.datasets.map((d) => encodeDsRef({ id: d.id, version: d.version })).join(listSep(lang))}
        </span>
      </nav>
    </>
  );
}
