// One contracting process in full: the facts, red flags with their
// evidence, tender, awards, contracts with amendments (value before and
// after), items, budget links (matched to a loaded budget of the same
// country when one has the published id as a member), parties with
// identifiers, the source, and the compiled release.
import { useAsync } from '../../hooks';
import { ErrorBox, Link, Loading, Money } from '../../components/ui';
import type { BudgetLink, ContractDetail, Money as MoneyMsg } from '../../gen/mizan/v1/contracts_pb';
import { amendmentChange, dsRef, getContract, prettyJson } from '../../lib/contracts';
import { formatInt, formatYear, type NumOpts } from '../../lib/format';
import { listSep } from '../../lib/i18n';
import { matchBudgetLinks, type BudgetMatch } from '../../lib/budgetLinks';
import {
  CLink,
  DatasetLabel,
  FlagBadges,
  FlagCard,
  PartyLink,
  SourceInfo,
  SourceText,
  methodLabel,
  type PageProps,
} from './common';
import type { T } from '../../hooks';

function M({ m }: { m: MoneyMsg | undefined }) {
  return m?.amount ? <Money value={m.amount} currency={m.currency} /> : <span class="muted">—</span>;
}

function Dl({ rows }: { rows: [string, preact.ComponentChildren | false | undefined | null | ''][] }) {
  const shown = rows.filter(([, v]) => v !== false && v !== undefined && v !== null && v !== '');
  if (!shown.length) return null;
  return (
    <dl class="meta">
      {shown.map(([k, v]) => (
        <div class="meta-row" key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

export function ContractPage(p: PageProps) {
  const { c, t } = p;
  const ds = c.ds;
  const res = useAsync(() => (ds && c.ocid ? getContract(ds, c.ocid) : undefined), [ds?.id, ds?.version, c.ocid]);
  if (!ds || !c.ocid) return <p class="notice">{t('nothingChosen')}</p>;
  if (res.error) return <ErrorBox error={res.error} retry={res.reload} />;
  if (!res.data?.contract) return <Loading />;
  return <Detail p={p} d={res.data.contract} />;
}

function Detail({ p, d }: { p: PageProps; d: ContractDetail }) {
  const { c, t, num, catalog, defs } = p;
  const lang = p.s.lang;
  const h = d.summary!;
  const ds = dsRef(h.dataset) ?? c.ds;
  const tender = d.tender;
  return (
    <article class="contract-detail" data-testid="contract-detail" data-ocid={h.ocid}>
      <h2 class="detail-title">
        <SourceText ds={ds?.id} text={h.title || h.ocid} />
      </h2>
      <p class="muted">
        <code dir="ltr">{h.ocid}</code> · <DatasetLabel catalog={catalog} ds={ds} t={t} num={num} lang={lang} />
      </p>
      <FlagBadges codes={h.flags} defs={defs} t={t} lang={lang} />
      {d.description && (
        <p dir="auto" class="description">
          {d.description}
        </p>
      )}
      <div class="cards">
        <div class="card">
          <p class="card-label">{t('amount')}</p>
          <p class="card-value" data-testid="contract-amount">
            <Money value={h.amount} currency={h.currency} />
          </p>
        </div>
        <div class="card">
          <p class="card-label">{t('buyer')}</p>
          <p>
            <PartyLink c={c} ds={ds} party={h.buyer} />
          </p>
        </div>
        <div class="card">
          <p class="card-label">{t('suppliers')}</p>
          <ul class="plain-list">
            {h.suppliers.map((s) => (
              <li key={s.entity}>
                <PartyLink c={c} ds={ds} party={s} />
              </li>
            ))}
          </ul>
        </div>
      </div>
      <Dl
        rows={[
          [t('method'), h.method || h.methodDetails ? <>{methodLabel(t, h.method)}{h.methodDetails && <span class="muted"> (<bdi>{h.methodDetails}</bdi>)</span>}</> : ''],
          [t('competitive'), h.competitive === undefined ? t('unknown') : h.competitive ? t('yes') : t('no')],
          [t('tenderers'), h.tenderers >= 0 ? formatInt(h.tenderers, num) : t('unknown')],
          [t('date'), h.date && <bdi>{h.date}</bdi>],
          [t('releases'), formatInt(d.releases, num)],
          [t('tags'), d.tags.length > 0 && <bdi dir="ltr">{d.tags.join(', ')}</bdi>],
        ]}
      />

      {d.flags.length > 0 && (
        <section aria-labelledby="c-flags">
          <h3 id="c-flags">{t('redFlags')}</h3>
          <p class="muted small">{t('flagsAreSignals')}</p>
          {d.flags.map((f, i) => (
            <FlagCard key={i} f={f} p={p} headingLevel={4} />
          ))}
        </section>
      )}

      {tender && (
        <section aria-labelledby="c-tender">
          <h3 id="c-tender">{t('tender')}</h3>
          <Dl
            rows={[
              [t('method'), methodLabel(t, tender.method) + (tender.methodDetails ? ` (${tender.methodDetails})` : '')],
              [t('rationale'), tender.methodRationale && <bdi>{tender.methodRationale}</bdi>],
              [t('tenderers'), tender.tenderers >= 0 ? formatInt(tender.tenderers, num) : t('unknown')],
              [t('tenderPeriod'), (tender.startDate || tender.endDate) && <bdi dir="ltr">{`${tender.startDate || '…'} – ${tender.endDate || '…'}`}</bdi>],
              [t('estimate'), tender.value?.amount && <M m={tender.value} />],
            ]}
          />
        </section>
      )}

      {d.awards.length > 0 && (
        <Table id="c-awards" title={t('awards')} heads={[t('id'), t('titleCol'), t('status'), t('date'), t('suppliers'), t('amount')]} numeric={[5]}>
          {d.awards.map((a) => (
            <tr key={a.id}>
              <th scope="row">
                <bdi dir="ltr">{a.id}</bdi>
              </th>
              <td>
                <SourceText ds={ds?.id} text={a.title || '—'} />
              </td>
              <td>{a.status || '—'}</td>
              <td>
                <bdi>{a.date || '—'}</bdi>
              </td>
              <td>
                {a.suppliers.map((s, i) => (
                  <span key={s.entity}>
                    {i > 0 && listSep(lang)}
                    <PartyLink c={c} ds={ds} party={s} />
                  </span>
                ))}
              </td>
              <td class="num">
                <M m={a.value} />
              </td>
            </tr>
          ))}
        </Table>
      )}

      {d.contracts.length > 0 && (
        <section aria-labelledby="c-contracts">
          <h3 id="c-contracts">{t('contractsSigned')}</h3>
          {d.contracts.map((k) => (
            <div class="panel" key={k.id} data-testid="contract-contract">
              <h4>
                <SourceText ds={ds?.id} text={k.title || k.id} /> <code class="muted small">{k.id}</code>
              </h4>
              <Dl
                rows={[
                  [t('supplier'), k.supplier?.name && <PartyLink c={c} ds={ds} party={k.supplier} />],
                  [t('status'), k.status],
                  [t('dateSigned'), k.dateSigned && <bdi>{k.dateSigned}</bdi>],
                  [t('period'), (k.startDate || k.endDate) && <bdi dir="ltr">{`${k.startDate || '…'} – ${k.endDate || '…'}`}</bdi>],
                  [t('initialValue'), k.initialValue?.amount && <M m={k.initialValue} />],
                  [t('currentValue'), <M m={k.value} />],
                  [t('award'), k.awardId && <bdi dir="ltr">{k.awardId}</bdi>],
                ]}
              />
              {k.amendments.length > 0 && (
                <Table
                  id={`c-amend-${k.id}`}
                  title={t('amendments')}
                  level={5}
                  heads={[t('date'), t('rationale'), t('description'), t('valueBefore'), t('valueAfter'), t('change')]}
                  numeric={[3, 4]}
                  testid="amendments"
                >
                  {k.amendments.map((a, i) => {
                    const ch = amendmentChange(a.valueBefore?.amount, a.valueAfter?.amount);
                    return (
                      <tr key={a.id || i}>
                        <th scope="row">
                          <bdi>{a.date || a.id || '—'}</bdi>
                        </th>
                        <td>
                          <SourceText ds={ds?.id} text={a.rationale || '—'} />
                        </td>
                        <td>
                          <SourceText ds={ds?.id} text={a.description || '—'} />
                        </td>
                        <td class="num">
                          <M m={a.valueBefore} />
                        </td>
                        <td class="num">
                          <M m={a.valueAfter} />
                        </td>
                        <td>{ch === null ? '—' : ch > 0 ? <span class="down">▲ {t('raised')}</span> : ch < 0 ? <span class="up">▼ {t('lowered')}</span> : t('unchanged')}</td>
                      </tr>
                    );
                  })}
                </Table>
              )}
            </div>
          ))}
        </section>
      )}

      {d.items.length > 0 && (
        <Table id="c-items" title={t('items')} heads={[t('description'), t('classification'), t('quantity'), t('unitValue'), t('partOf')]} numeric={[2, 3]}>
          {d.items.map((it, i) => (
            <tr key={i}>
              <th scope="row">
                <SourceText ds={ds?.id} text={it.description || it.id || '—'} />
              </th>
              <td>
                {it.classification ? (
                  <bdi dir="ltr">
                    {it.scheme ? `${it.scheme} ` : ''}
                    {it.classification}
                  </bdi>
                ) : (
                  '—'
                )}
              </td>
              <td class="num">
                <bdi>
                  {it.quantity || '—'} {it.unit}
                </bdi>
              </td>
              <td class="num">
                <M m={it.unitValue} />
              </td>
              <td>
                {it.parent}
                {it.parentId && (
                  <>
                    {' '}
                    <bdi dir="ltr">{it.parentId}</bdi>
                  </>
                )}
              </td>
            </tr>
          ))}
        </Table>
      )}

      <BudgetLinks p={p} links={d.budget} year={h.year} datasetId={ds?.id ?? ''} />

      {d.parties.length > 0 && (
        <Table id="c-parties" title={t('parties')} heads={[t('name'), t('asPublished'), t('identifier'), t('roles')]} testid="parties">
          {d.parties.map((pt, i) => (
            <tr key={i}>
              <th scope="row">
                <PartyLink c={c} ds={ds} party={pt.entity} />
              </th>
              <td>
                <SourceText ds={ds?.id} text={pt.name} />
              </td>
              <td>
                {pt.identifier ? (
                  <bdi dir="ltr">
                    {pt.scheme ? `${pt.scheme}: ` : ''}
                    {pt.identifier}
                  </bdi>
                ) : (
                  <span class="muted">—</span>
                )}
              </td>
              <td>
                {pt.roles.map((r) => (r === 'buyer' ? t('buyer') : r === 'supplier' ? t('supplier') : r)).join(listSep(lang))}
              </td>
            </tr>
          ))}
        </Table>
      )}

      <section aria-labelledby="c-source">
        <h3 id="c-source">{t('source')}</h3>
        <SourceInfo source={h.source} t={t} />
      </section>

      {d.compiledJson && (
        <details class="compiled" data-testid="compiled-json">
          <summary>{t('compiledRelease')}</summary>
          <pre class="json" dir="ltr" tabIndex={0}>
            {prettyJson(d.compiledJson)}
          </pre>
        </details>
      )}
      <p>
        <CLink c={c} to={{ page: 'search' }}>
          {t('backToResults')}
        </CLink>
      </p>
    </article>
  );
}

function Table({
  id,
  title,
  heads,
  numeric = [],
  children,
  level = 3,
  testid,
}: {
  id: string;
  title: string;
  heads: string[];
  numeric?: number[];
  children: preact.ComponentChildren;
  level?: 3 | 5;
  testid?: string;
}) {
  const H = `h${level}` as 'h3';
  return (
    <section aria-labelledby={id}>
      <H id={id}>{title}</H>
      <div class="table-wrap" tabIndex={0} role="region" aria-labelledby={id}>
        <table data-testid={testid}>
          <thead>
            <tr>
              {heads.map((h, i) => (
                <th key={i} scope="col" class={numeric.includes(i) ? 'num' : undefined}>
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>{children}</tbody>
        </table>
      </div>
    </section>
  );
}

function BudgetLinks({ p, links, year, datasetId }: { p: PageProps; links: BudgetLink[]; year: number; datasetId: string }) {
  const { t, num, catalog } = p;
  const lang = p.s.lang;
  const country = catalog.find((d) => d.id === datasetId)?.country ?? '';
  const ids = links.map((l) => l.id).filter(Boolean);
  const matches = useAsync(() => (ids.length ? matchBudgetLinks(catalog, country, ids, lang) : undefined), [ids.join('\u0000'), country, lang, catalog.length]);
  if (!links.length) return null;
  const m = matches.data;
  return (
    <section aria-labelledby="c-budget" data-testid="budget-links">
      <h3 id="c-budget">{t('budgetLinks')}</h3>
      <div class="table-wrap" tabIndex={0} role="region" aria-labelledby="c-budget">
        <table>
          <thead>
            <tr>
              <th scope="col">{t('budgetLine')}</th>
              <th scope="col">{t('description')}</th>
              <th scope="col">{t('project')}</th>
              <th scope="col" class="num">
                {t('amount')}
              </th>
              <th scope="col">{t('inTheBudget')}</th>
            </tr>
          </thead>
          <tbody>
            {links.map((l, i) => (
              <tr key={i}>
                <th scope="row">
                  {l.uri ? (
                    <a href={l.uri} rel="noopener" target="_blank">
                      <bdi dir="ltr">{l.id || l.uri}</bdi>
                    </a>
                  ) : (
                    <bdi dir="ltr">{l.id || '—'}</bdi>
                  )}
                </th>
                <td>
                  <bdi>{l.description || '—'}</bdi>
                </td>
                <td>
                  <bdi>{[l.project, l.projectId].filter(Boolean).join(' · ') || '—'}</bdi>
                </td>
                <td class="num">{l.amount?.amount ? <Money value={l.amount.amount} currency={l.amount.currency} /> : '—'}</td>
                <td>{matchCell(t, num, m?.matches.get(l.id), year, matches.loading)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p class="muted small" data-testid="budget-link-note">
        {!country
          ? t('budgetNoCountry')
          : m && m.searched.length === 0
            ? t('budgetNoneLoaded', { country })
            : t('budgetHow', { country })}
      </p>
    </section>
  );
}

function matchCell(t: T, num: NumOpts, match: BudgetMatch[] | undefined, year: number, loading: boolean) {
  if (loading) return <span class="muted">…</span>;
  if (!match?.length) return <span class="muted">{t('notMatched')}</span>;
  return (
    <ul class="plain-list">
      {match.map((x) => (
        <li key={x.dataset + x.ref}>
          <Link
            to={{
              view: 'explore',
              dataset: x.dataset,
              version: x.version,
              year: x.years.includes(year) ? year : 0,
              phase: '',
              drill: [x.ref],
              cuts: [{ dim: x.ref, values: [x.key] }],
              path: [],
              sort: '',
              ref: '',
              by: '',
              contracts: undefined,
            }}
            data-testid="budget-explore-link"
          >
            <bdi>{x.label || x.key}</bdi>
          </Link>{' '}
          <span class="muted small">
            (<bdi>{x.title}</bdi>
            {x.years.includes(year) ? ` · ${formatYear(year, num)}` : ''})
          </span>
        </li>
      ))}
    </ul>
  );
}
