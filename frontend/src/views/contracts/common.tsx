// Pieces the Contracts and payments pages share: links that keep the
// view's URL state, dataset labels (synthetic ones marked), red flag badges
// and cards, sources.
import { Fragment, createContext, type ComponentChildren } from 'preact';
import { useContext } from 'preact/hooks';
import { Link, Money, SyntheticBadge } from '../../components/ui';
import { DatasetKind, type DatasetSummary } from '../../gen/mizan/v1/catalog_pb';
import type { PartyName, RecordSource, RedFlag, RedFlagDefinition } from '../../gen/mizan/v1/contracts_pb';
import { RecordKind, dsRef, figureLabel, flagTitle, methodKey, sortedFigures, sourceParts } from '../../lib/contracts';
import { encodeDsRef, type ContractsState, type DsRef } from '../../lib/contractsUrl';
import { formatDecimal, formatYear, type NumOpts } from '../../lib/format';
import { isDecimal } from '../../lib/decimal';
import { pick } from '../../lib/i18n';
import type { AppState } from '../../lib/url';
import { setState } from '../../store';
import type { T } from '../../hooks';

/** What every page of the view gets. */
export interface PageProps {
  s: AppState;
  c: ContractsState;
  t: T;
  num: NumOpts;
  catalog: DatasetSummary[];
  defs: RedFlagDefinition[] | undefined;
}

/** Datasets the view searches: contracts and payments. */
export function moneyDatasets(all: DatasetSummary[]): DatasetSummary[] {
  return all.filter((d) => d.kind === DatasetKind.CONTRACTS || d.kind === DatasetKind.PAYMENTS);
}

/** The app state that shows the contracts view with this patch applied. */
export function cState(c: ContractsState, patch: Partial<ContractsState>): Partial<AppState> {
  return { view: 'contracts', embed: false, contracts: { ...c, ...patch } };
}

export function go(c: ContractsState, patch: Partial<ContractsState>, opts: { replace?: boolean } = {}): void {
  setState(cState(c, patch), opts);
}

export function CLink({
  c,
  to,
  children,
  ...rest
}: {
  c: ContractsState;
  to: Partial<ContractsState>;
  children: ComponentChildren;
  [k: string]: unknown;
}) {
  return (
    <Link to={cState(c, to)} {...rest}>
      {children}
    </Link>
  );
}

/**
 * The language of each dataset's own texts (DatasetSummary.language), and
 * the page's: titles, descriptions and names are shown as published, and
 * marked with their language when it is not the page's (WCAG 3.1.2).
 */
export const TextLangs = createContext<{ byDataset: Map<string, string>; page: string }>({ byDataset: new Map(), page: '' });

/** The languages TextLangs provides, from the catalog. */
export function textLangs(all: DatasetSummary[], page: string): { byDataset: Map<string, string>; page: string } {
  return { byDataset: new Map(all.filter((d) => d.language).map((d) => [d.id, d.language])), page };
}

/** Text of a dataset as published, marked with the dataset's language when it differs from the page's. */
export function SourceText({ ds, text, class: cls }: { ds: string | undefined; text: string; class?: string }) {
  const langs = useContext(TextLangs);
  const l = ds ? langs.byDataset.get(ds) : undefined;
  return (
    <bdi lang={l && l !== langs.page ? l : undefined} class={cls}>
      {text}
    </bdi>
  );
}

/** A party's name, linked to its profile in that dataset version. */
export function PartyLink({ c, ds, party }: { c: ContractsState; ds: DsRef | null; party: PartyName | undefined }) {
  if (!party || (!party.name && !party.entity)) return <span class="muted">—</span>;
  const name = <SourceText ds={ds?.id} text={party.name || party.entity} />;
  if (!ds || !party.entity) return name;
  return (
    <CLink c={c} to={{ page: 'party', ds, entity: party.entity }} class="party-link" data-entity={party.entity}>
      {name}
    </CLink>
  );
}

/** A process, linked to its detail. */
export function ContractLink({ c, ds, ocid, children }: { c: ContractsState; ds: DsRef | null; ocid: string; children?: ComponentChildren }) {
  const body = children ?? <bdi>{ocid}</bdi>;
  if (!ds || !ocid) return <>{body}</>;
  return (
    <CLink c={c} to={{ page: 'contract', ds, ocid }} class="contract-link" data-ocid={ocid}>
      {body}
    </CLink>
  );
}

/** A dataset's title (or id), its version, and the synthetic label when it is one. */
export function DatasetLabel({ catalog, ds, t, num, lang }: { catalog: DatasetSummary[]; ds: DsRef | null; t: T; num: NumOpts; lang: 'ar' | 'en' }) {
  if (!ds) return null;
  const d = catalog.find((x) => x.id === ds.id);
  return (
    <span class="ds-label" data-dataset={encodeDsRef(ds)}>
      <bdi>{(d && pick(d.title, lang)) || ds.id}</bdi>
      {ds.version > 0 && (
        <span class="muted small">
          {' '}
          · {t('version')} {formatYear(ds.version, num)}
        </span>
      )}{' '}
      <SyntheticBadge synthetic={!!d?.synthetic} />
    </span>
  );
}

export function methodLabel(t: T, method: string): string {
  const k = methodKey(method);
  return k ? t(k) : method;
}

/** Red flag codes as badges; the text says "red flag" to screen readers and the definition is the tooltip. */
export function FlagBadges({ codes, defs, t, lang }: { codes: string[]; defs: RedFlagDefinition[] | undefined; t: T; lang: 'ar' | 'en' }) {
  if (!codes.length) return null;
  return (
    <ul class="flag-badges plain-list">
      {codes.map((code) => (
        <li key={code}>
          <span class="badge redflag" data-flag={code} title={pick(defs?.find((d) => d.code === code)?.description, lang) || undefined}>
            <span aria-hidden="true">⚑ </span>
            <span class="sr-only">{t('redFlag')}: </span>
            {flagTitle(defs, code, lang)}
          </span>
        </li>
      ))}
    </ul>
  );
}

/** Where a record comes from: file, sha256, and the JSON pointer or row. */
export function SourceInfo({ source, t }: { source: RecordSource | undefined; t: T }) {
  const p = sourceParts(source);
  if (!p.file && !p.where) return <span class="muted">—</span>;
  return (
    <dl class="meta source-info" data-testid="source-info">
      <dt>{t('file')}</dt>
      <dd>
        <code dir="ltr">{p.file || '—'}</code>
      </dd>
      <dt>SHA-256</dt>
      <dd>
        <code class="hash" dir="ltr">
          {p.sha256 || '—'}
        </code>
      </dd>
      {p.kind !== 'none' && (
        <>
          <dt>{p.kind === 'pointer' ? t('jsonPointer') : t('row')}</dt>
          <dd>
            <code dir="ltr">{p.where}</code>
          </dd>
        </>
      )}
    </dl>
  );
}

/** A figure's value: decimals formatted for the language, anything else as published. */
export function figureValue(v: string, num: NumOpts): string {
  return isDecimal(v) ? formatDecimal(v, num) : v;
}

/** One red flag: what it is, why (in the current language), the numbers, and the records behind it. */
export function FlagCard({ f, p, headingLevel = 3 }: { f: RedFlag; p: PageProps; headingLevel?: 2 | 3 | 4 }) {
  const { c, t, num, defs } = p;
  const lang = p.s.lang;
  const ds = dsRef(f.dataset);
  const H = `h${headingLevel}` as 'h3';
  const reason = pick(f.reason, lang);
  return (
    <article class="flag-card" data-testid="flag-card" data-flag={f.code}>
      <H class="flag-title">
        <span aria-hidden="true">⚑ </span>
        {flagTitle(defs, f.code, lang)} <code class="muted small">{f.code}</code>
      </H>
      {reason && (
        <p class="flag-reason" dir="auto" lang={f.reason[lang] ? lang : undefined}>
          {reason}
        </p>
      )}
      <dl class="meta">
        {f.buyer?.name && (
          <>
            <dt>{t('buyer')}</dt>
            <dd>
              <PartyLink c={c} ds={ds} party={f.buyer} />
            </dd>
          </>
        )}
        {f.supplier?.name && (
          <>
            <dt>{t('supplier')}</dt>
            <dd>
              <PartyLink c={c} ds={ds} party={f.supplier} />
            </dd>
          </>
        )}
        {f.ocid && (
          <>
            <dt>{t('process')}</dt>
            <dd>
              <ContractLink c={c} ds={ds} ocid={f.ocid} />
            </dd>
          </>
        )}
        {f.year > 0 && (
          <>
            <dt>{t('year')}</dt>
            <dd>{formatYear(f.year, num)}</dd>
          </>
        )}
        {f.value?.amount && (
          <>
            <dt>{t('atStake')}</dt>
            <dd>
              <Money value={f.value.amount} currency={f.value.currency} />
            </dd>
          </>
        )}
        {sortedFigures(f.figures).map(([k, v]) => (
          <Fragment key={k}>
            <dt>
              <bdi>{figureLabel(k, lang)}</bdi>
            </dt>
            <dd class="num-inline">
              <bdi>{figureValue(v, num)}</bdi>
            </dd>
          </Fragment>
        ))}
      </dl>
      {f.evidence.length > 0 && (
        <details class="evidence">
          <summary>{t('evidenceN', { n: f.evidence.length })}</summary>
          <div class="table-wrap" tabIndex={0} role="region" aria-label={t('evidence')}>
            <table>
              <caption class="sr-only">{t('evidence')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('kind')}</th>
                  <th scope="col">{t('titleCol')}</th>
                  <th scope="col">{t('date')}</th>
                  <th scope="col" class="num">
                    {t('amount')}
                  </th>
                  <th scope="col">{t('source')}</th>
                </tr>
              </thead>
              <tbody>
                {f.evidence.map((e, i) => {
                  const sp = sourceParts(e.source);
                  return (
                    <tr key={i}>
                      <td>{recordKindLabel(t, e.kind)}</td>
                      <th scope="row">
                        {e.ocid ? (
                          <ContractLink c={c} ds={ds} ocid={e.ocid}>
                            <bdi>{e.title || e.id || e.ocid}</bdi>
                          </ContractLink>
                        ) : (
                          <bdi>{e.title || e.id}</bdi>
                        )}
                        {e.id && e.title && (
                          <span class="muted small">
                            {' '}
                            (<bdi>{e.id}</bdi>)
                          </span>
                        )}
                      </th>
                      <td>
                        <bdi>{e.date}</bdi>
                      </td>
                      <td class="num">{e.value?.amount ? <Money value={e.value.amount} currency={e.value.currency} /> : '—'}</td>
                      <td class="small">
                        <code dir="ltr">
                          {sp.file}
                          {sp.where ? (sp.kind === 'row' ? ` #${sp.where}` : ` ${sp.where}`) : ''}
                        </code>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </details>
      )}
    </article>
  );
}

export function recordKindLabel(t: T, k: RecordKind): string {
  switch (k) {
    case RecordKind.PROCESS:
      return t('kindProcess');
    case RecordKind.PAYMENT:
      return t('kindPayment');
    case RecordKind.AWARD:
      return t('kindAward');
    case RecordKind.CONTRACT:
      return t('kindContract');
    case RecordKind.AMENDMENT:
      return t('kindAmendment');
    default:
      return '—';
  }
}

/** Sub-navigation of the view: search and red flags, with the current page marked. */
export function SubNav({ p }: { p: PageProps }) {
  const { c, t } = p;
  const onFlags = c.page === 'flags';
  return (
    <nav class="subnav" aria-label={t('contractsSections')}>
      <ul>
        <li>
          <CLink c={c} to={{ page: 'search' }} current={c.page === 'search'} data-testid="nav-search">
            {t('searchContracts')}
          </CLink>
        </li>
        <li>
          <CLink c={c} to={{ page: 'flags' }} current={onFlags} data-testid="nav-flags">
            {t('redFlags')}
          </CLink>
        </li>
      </ul>
    </nav>
  );
}
