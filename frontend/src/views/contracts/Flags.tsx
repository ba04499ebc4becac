// Red flags of one dataset version: filters (code, buyer, supplier, year),
// counts by code, every flag with its reason in the current language, its
// figures and the evidence records, and the definitions that explain what
// each flag can and cannot mean.
import { useEffect } from 'preact/hooks';
import { useAsync } from '../../hooks';
import { ErrorBox, Loading } from '../../components/ui';
import { DatasetKind } from '../../gen/mizan/v1/catalog_pb';
import type { RedFlagDefinition } from '../../gen/mizan/v1/contracts_pb';
import { dsRef, flagTitle, flagsRequest, listRedFlags } from '../../lib/contracts';
import { decodeDsRef, encodeDsRef, type ContractsState, type DsRef } from '../../lib/contractsUrl';
import { formatInt, formatYear } from '../../lib/format';
import { pick } from '../../lib/i18n';
import { DatasetLabel, FlagCard, go, moneyDatasets, type PageProps } from './common';

function flagsPatch(c: ContractsState, patch: Partial<ContractsState>): Partial<ContractsState> {
  return { ...patch, page: 'flags', fpages: [] };
}

export function FlagsPage(p: PageProps) {
  const { c, t, num, catalog, defs } = p;
  const lang = p.s.lang;
  const sets = moneyDatasets(catalog);
  // The dataset: the URL's, else the first contracts dataset (then pinned).
  const fallback = sets.find((d) => d.kind === DatasetKind.CONTRACTS) ?? sets[0];
  const ds: DsRef | null = c.ds ?? (fallback ? { id: fallback.id, version: 0 } : null);
  const req = ds ? flagsRequest(c, ds) : undefined;
  const reqKey = JSON.stringify(req ?? null);
  const res = useAsync(() => (req ? listRedFlags(req) : undefined), [reqKey]);
  const pinned = res.data ? dsRef(res.data.dataset) : null;
  useEffect(() => {
    if (pinned && (!c.ds || c.ds.version === 0) && pinned.id === ds?.id) go(c, { ds: pinned }, { replace: true });
  }, [res.data]);

  const kind = catalog.find((d) => d.id === ds?.id)?.kind;
  const applies = (d: RedFlagDefinition) =>
    !kind || !d.appliesTo.length || d.appliesTo.includes(kind === DatasetKind.PAYMENTS ? 'payments' : 'contracts');
  const relevant = (defs ?? []).filter(applies);
  const set = (patch: Partial<ContractsState>) => go(c, flagsPatch(c, patch));
  const buyerName = res.data?.flags.find((f) => f.buyer?.entity === c.fbuyer)?.buyer?.name || c.fbuyer;
  const supplierName = res.data?.flags.find((f) => f.supplier?.entity === c.fsupplier)?.supplier?.name || c.fsupplier;
  const years = Array.from({ length: 30 }, (_, i) => new Date().getFullYear() - i);

  if (!ds) return <p>{t('noMoneyDatasets')}</p>;
  return (
    <section class="flags-page" data-testid="flags-page">
      <p class="notice">{t('flagsAreSignals')}</p>
      <div class="panel">
        <div class="row">
          <div class="field">
            <label for="fl-ds">{t('dataset')}</label>
            <select
              id="fl-ds"
              value={encodeDsRef(pinned ?? ds)}
              onChange={(e) => set({ ds: decodeDsRef((e.target as HTMLSelectElement).value), fbuyer: '', fsupplier: '' })}
            >
              {sets.map((d) => {
                const v = d.id === (pinned ?? ds).id ? encodeDsRef(pinned ?? ds) : d.id;
                return (
                  <option key={d.id} value={v}>
                    {pick(d.title, lang) || d.id}
                    {d.synthetic ? ` (${t('synthetic')})` : ''}
                  </option>
                );
              })}
            </select>
          </div>
          <div class="field">
            <label for="fl-code">{t('redFlag')}</label>
            <select
              id="fl-code"
              value={c.fcodes.length === 1 ? c.fcodes[0] : ''}
              data-testid="flags-code"
              onChange={(e) => {
                const v = (e.target as HTMLSelectElement).value;
                set({ fcodes: v ? [v] : [] });
              }}
            >
              <option value="">{t('all')}</option>
              {relevant.map((d) => (
                <option key={d.code} value={d.code}>
                  {pick(d.title, lang) || d.code}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="fl-year">{t('year')}</label>
            <select id="fl-year" value={String(c.fyear)} onChange={(e) => set({ fyear: Number((e.target as HTMLSelectElement).value) })}>
              <option value="0">{t('all')}</option>
              {(c.fyear && !years.includes(c.fyear) ? [c.fyear, ...years] : years).map((y) => (
                <option key={y} value={String(y)}>
                  {formatYear(y, num)}
                </option>
              ))}
            </select>
          </div>
        </div>
        {(c.fbuyer || c.fsupplier) && (
          <ul class="row plain-list active-filters">
            {c.fbuyer && (
              <li class="chip">
                {t('buyer')}: <bdi>{buyerName}</bdi>
                <button type="button" aria-label={`${t('remove')}: ${t('buyer')}`} onClick={() => set({ fbuyer: '' })}>
                  ✕
                </button>
              </li>
            )}
            {c.fsupplier && (
              <li class="chip">
                {t('supplier')}: <bdi>{supplierName}</bdi>
                <button type="button" aria-label={`${t('remove')}: ${t('supplier')}`} onClick={() => set({ fsupplier: '' })}>
                  ✕
                </button>
              </li>
            )}
          </ul>
        )}
        <p class="muted small">
          <DatasetLabel catalog={catalog} ds={pinned ?? ds} t={t} num={num} lang={lang} />
        </p>
      </div>

      {res.error ? (
        <ErrorBox error={res.error} retry={res.reload} />
      ) : !res.data ? (
        <Loading />
      ) : (
        <>
          <section aria-labelledby="fl-counts">
            <h2 id="fl-counts">{t('flagCounts')}</h2>
            <ul class="plain-list flag-counts" data-testid="flag-counts">
              {Object.entries(res.data.counts)
                .sort(([a], [b]) => a.localeCompare(b))
                .map(([code, n]) => (
                  <li key={code}>
                    <button
                      type="button"
                      class="facet-value"
                      aria-pressed={c.fcodes.length === 1 && c.fcodes[0] === code}
                      data-code={code}
                      data-count={String(n)}
                      onClick={() => set({ fcodes: c.fcodes.length === 1 && c.fcodes[0] === code ? [] : [code] })}
                    >
                      <bdi class="facet-label">{flagTitle(defs, code, lang)}</bdi>
                      <span class="facet-count">
                        <span class="sr-only">: </span>
                        {formatInt(n, num)}
                      </span>
                    </button>
                  </li>
                ))}
            </ul>
          </section>
          <section aria-labelledby="fl-list">
            <h2 id="fl-list">
              {t('flagsN', { n: formatInt(res.data.totalCount, num) })}
              {res.loading && <span class="spinner" aria-hidden="true" />}
            </h2>
            {res.data.flags.length === 0 && <p>{t('noFlags')}</p>}
            <div class="flag-list" data-testid="flag-list" data-total={String(res.data.totalCount)}>
              {res.data.flags.map((f, i) => (
                <FlagCard key={i} f={f} p={p} />
              ))}
            </div>
            <nav class="pager row" aria-label={t('pages')}>
              <button type="button" disabled={!c.fpages.length} onClick={() => go(c, { fpages: c.fpages.slice(0, -1) })}>
                {t('previous')}
              </button>
              <span>{t('pageN', { n: formatInt(c.fpages.length + 1, num) })}</span>
              <button type="button" disabled={!res.data.nextPageToken} data-testid="flags-next" onClick={() => go(c, { fpages: [...c.fpages, res.data!.nextPageToken] })}>
                {t('next')}
              </button>
            </nav>
          </section>
          <Definitions p={p} defs={relevant} params={res.data.params} />
        </>
      )}
    </section>
  );
}

/** What each flag means, what it cannot mean, and its parameters (with the values used). */
function Definitions({ p, defs, params }: { p: PageProps; defs: RedFlagDefinition[]; params: Record<string, string> }) {
  const { t } = p;
  const lang = p.s.lang;
  if (!defs.length) return null;
  return (
    <section aria-labelledby="fl-defs" data-testid="flag-definitions">
      <h2 id="fl-defs">{t('flagDefinitions')}</h2>
      {defs.map((d) => (
        <details key={d.code} class="definition" open={p.c.fcodes.includes(d.code)} data-code={d.code}>
          <summary>
            {pick(d.title, lang) || d.code} <code class="muted small">{d.code}</code>
          </summary>
          <p dir="auto" class="prewrap">
            {pick(d.description, lang)}
          </p>
          {d.appliesTo.length > 0 && (
            <p class="muted small">
              {t('appliesTo')}: {d.appliesTo.map((k) => (k === 'payments' ? t('kindPayments') : k === 'contracts' ? t('kindContracts') : k)).join(', ')}
            </p>
          )}
          {d.params.length > 0 && (
            <div class="table-wrap" tabIndex={0} role="region" aria-label={`${t('parameters')}: ${pick(d.title, lang) || d.code}`}>
              <table>
                <caption>{t('parameters')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('name')}</th>
                    <th scope="col">{t('description')}</th>
                    <th scope="col" class="num">
                      {t('defaultValue')}
                    </th>
                    <th scope="col" class="num">
                      {t('valueUsed')}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {d.params.map((x) => (
                    <tr key={x.name}>
                      <th scope="row">
                        <code dir="ltr">{x.name}</code>
                      </th>
                      <td dir="auto">{pick(x.description, lang)}</td>
                      <td class="num">
                        <bdi>{x.defaultValue}</bdi>
                      </td>
                      <td class="num">
                        <bdi>{params[x.name] ?? x.defaultValue}</bdi>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </details>
      ))}
    </section>
  );
}
