// A buyer's or supplier's profile: names as published, identifier, totals
// by year (a bar chart and the same figures as a table), counterparts, the
// share won without competition, top contracts and payments, red flags.
import { useMemo, useState } from 'preact/hooks';
import { useAsync } from '../../hooks';
import { ErrorBox, Loading, Money, Segmented } from '../../components/ui';
import { EChart } from '../../components/EChart';
import { barOption } from '../../charts/options';
import type { Party, PartyRecord } from '../../gen/mizan/v1/contracts_pb';
import { RecordKind, dsRef, flagTitle, getParty, mainCurrency, sourceParts, yearTable } from '../../lib/contracts';
import { formatAxis, formatInt, formatMoney, formatRate, formatYear } from '../../lib/format';
import { toNumber } from '../../lib/decimal';
import { NO_FILTERS, withSearch, type DsRef } from '../../lib/contractsUrl';
import { CLink, ContractLink, DatasetLabel, FlagCard, PartyLink, SourceText, methodLabel, type PageProps } from './common';

export function PartyPage(p: PageProps) {
  const { c, t } = p;
  const ds = c.ds;
  const res = useAsync(() => (ds && c.entity ? getParty(ds, c.entity) : undefined), [ds?.id, ds?.version, c.entity]);
  if (!ds || !c.entity) return <p class="notice">{t('nothingChosen')}</p>;
  if (res.error) return <ErrorBox error={res.error} retry={res.reload} />;
  if (!res.data?.party) return <Loading />;
  return <Profile p={p} party={res.data.party} ds={dsRef(res.data.dataset) ?? ds} />;
}

function Profile({ p, party, ds }: { p: PageProps; party: Party; ds: DsRef }) {
  const { c, t, num, catalog, defs } = p;
  const lang = p.s.lang;
  const table = useMemo(() => yearTable(party.byYear), [party]);
  const [cur, setCur] = useState('');
  const currency = table.currencies.includes(cur) ? cur : mainCurrency(table);
  const role = party.role === 'buyer' ? 'buyer' : 'supplier';
  const name = party.entity?.name || party.entity?.entity || '';

  const option = useMemo(() => {
    const items = table.years.map((y) => ({ name: formatYear(y, num), value: toNumber(table.cell(y, currency)?.amount ?? '0') }));
    return barOption(items, {
      ...num,
      description: t('totalsByYearOf', { name, currency }),
      valueFormat: (v: number) => formatAxis(v, num),
    });
  }, [table, currency, lang, p.s.digits]);

  const searchOwn = withSearch(c, {
    ...NO_FILTERS,
    q: '',
    sets: [ds],
    buyers: role === 'buyer' ? [party.entity!.entity] : [],
    suppliers: role === 'supplier' ? [party.entity!.entity] : [],
  });

  const flagsOfParty = {
    page: 'flags' as const,
    ds,
    fbuyer: role === 'buyer' ? party.entity!.entity : '',
    fsupplier: role === 'supplier' ? party.entity!.entity : '',
    fcodes: [],
    fyear: 0,
    fpages: [],
  };

  return (
    <article class="party-profile" data-testid="party-profile" data-entity={party.entity?.entity}>
      <h2 class="detail-title">
        <SourceText ds={ds.id} text={name} /> <span class="badge role">{role === 'buyer' ? t('buyer') : t('supplier')}</span>
      </h2>
      <p class="muted">
        <DatasetLabel catalog={catalog} ds={ds} t={t} num={num} lang={lang} />
      </p>
      <dl class="meta">
        <dt>{t('identifier')}</dt>
        <dd>
          {party.identifier ? (
            <bdi dir="ltr">
              {party.scheme ? `${party.scheme}: ` : ''}
              {party.identifier}
            </bdi>
          ) : (
            <span class="muted">{t('notPublished')}</span>
          )}
        </dd>
        <dt>{t('records')}</dt>
        <dd data-testid="party-records">{formatInt(party.records, num)}</dd>
        <dt>{t('spellings')}</dt>
        <dd>
          <ul class="plain-list spellings" data-testid="spellings">
            {party.spellings.map((s) => (
              <li key={s}>
                <SourceText ds={ds.id} text={s} />
              </li>
            ))}
          </ul>
        </dd>
      </dl>
      <p>
        <CLink c={c} to={searchOwn} data-testid="party-search-link">
          {t('searchPartyRecords')}
        </CLink>{' '}
        ·{' '}
        <CLink c={c} to={flagsOfParty}>
          {t('partyFlagsLink')}
        </CLink>
      </p>

      <section aria-labelledby="p-years">
        <h3 id="p-years">{t('totalsByYear')}</h3>
        {table.years.length === 0 ? (
          <p>{t('noData')}</p>
        ) : (
          <div class="chart-and-table">
            <div class="chart-pane">
              {table.currencies.length > 1 && (
                <Segmented
                  label={t('currency')}
                  value={currency}
                  options={table.currencies.map((x) => ({ value: x, label: x }))}
                  onChange={setCur}
                />
              )}
              <EChart option={option} label={t('chartOf', { title: t('totalsByYearOf', { name, currency }) })} testid="party-chart" height={Math.max(180, 36 * table.years.length + 60)} />
            </div>
            <div class="table-pane">
              <div class="table-wrap" tabIndex={0} role="region" aria-labelledby="p-years-caption">
                <table data-testid="party-year-table">
                  <caption id="p-years-caption">{t('tableOf', { title: t('totalsByYearOf', { name, currency: table.currencies.join(', ') }) })}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('year')}</th>
                      {table.currencies.map((x) => (
                        <th scope="col" class="num" key={x}>
                          {t('amount')} ({x})
                        </th>
                      ))}
                      <th scope="col" class="num">
                        {t('count')}
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {table.years.map((y) => (
                      <tr key={y} data-year={y}>
                        <th scope="row">{formatYear(y, num)}</th>
                        {table.currencies.map((x) => {
                          const v = table.cell(y, x);
                          return (
                            <td class="num" key={x}>
                              {v ? <Money value={v.amount} currency={x} /> : '—'}
                            </td>
                          );
                        })}
                        <td class="num">{formatInt(table.currencies.reduce((a, x) => a + (table.cell(y, x)?.count ?? 0n), 0n), num)}</td>
                      </tr>
                    ))}
                  </tbody>
                  <tfoot>
                    <tr>
                      <th scope="row">{t('total')}</th>
                      {table.totals.map((x) => (
                        <td class="num" key={x.currency} data-testid={`party-total-${x.currency}`}>
                          <Money value={x.amount} currency={x.currency} />
                        </td>
                      ))}
                      <td class="num">{formatInt(table.totals.reduce((a, x) => a + x.count, 0n), num)}</td>
                    </tr>
                  </tfoot>
                </table>
              </div>
            </div>
          </div>
        )}
      </section>

      {party.nonCompetitive.length > 0 && (
        <section aria-labelledby="p-noncomp">
          <h3 id="p-noncomp">{role === 'buyer' ? t('nonCompetitiveBuyer') : t('nonCompetitiveSupplier')}</h3>
          <div class="cards">
            {party.nonCompetitive.map((n) => (
              <div class="card" key={n.currency} data-testid="noncompetitive">
                <p class="card-label">{n.currency}</p>
                <p class="card-value">{n.share ? formatRate(n.share, num) : '—'}</p>
                <p class="card-exact">
                  {t('nonCompetitiveOf', {
                    amount: formatMoney(n.amount || '0', n.currency, num),
                    total: formatMoney(n.total || '0', n.currency, num),
                    n: formatInt(n.contracts, num),
                  })}
                  {n.unknown > 0n && ` ${t('methodUnknownN', { n: formatInt(n.unknown, num) })}`}
                </p>
              </div>
            ))}
          </div>
        </section>
      )}

      {party.counterparts.length > 0 && (
        <section aria-labelledby="p-counter">
          <h3 id="p-counter">{role === 'buyer' ? t('topSuppliers') : t('topBuyers')}</h3>
          <div class="table-wrap" tabIndex={0} role="region" aria-labelledby="p-counter">
            <table data-testid="counterparts">
              <thead>
                <tr>
                  <th scope="col">{t('name')}</th>
                  <th scope="col" class="num">
                    {t('amount')}
                  </th>
                  <th scope="col" class="num">
                    {t('count')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {party.counterparts.map((x, i) => (
                  <tr key={i}>
                    <th scope="row">
                      <PartyLink c={c} ds={ds} party={x.party} />
                    </th>
                    <td class="num">
                      <Money value={x.amount} currency={x.currency} />
                    </td>
                    <td class="num">{formatInt(x.count, num)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}

      <Records p={p} ds={ds} id="p-contracts" title={t('topContracts')} rows={party.topContracts} testid="top-contracts" />
      <Records p={p} ds={ds} id="p-payments" title={t('topPayments')} rows={party.topPayments} testid="top-payments" />

      {(party.flags.length > 0 || Object.keys(party.flagCounts).length > 0) && (
        <section aria-labelledby="p-flags">
          <h3 id="p-flags">{t('redFlags')}</h3>
          <p class="muted small">{t('flagsAreSignals')}</p>
          <ul class="row plain-list">
            {Object.entries(party.flagCounts)
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([code, n]) => (
                <li key={code} class="chip">
                  <CLink
                    c={c}
                    to={{ page: 'flags', ds, fcodes: [code], fbuyer: role === 'buyer' ? party.entity!.entity : '', fsupplier: role === 'supplier' ? party.entity!.entity : '', fyear: 0, fpages: [] }}
                  >
                    {flagTitle(defs, code, lang)}: {formatInt(n, num)}
                  </CLink>
                </li>
              ))}
          </ul>
          {party.flags.slice(0, 10).map((f, i) => (
            <FlagCard key={i} f={f} p={p} headingLevel={4} />
          ))}
          {party.flags.length > 10 && (
            <p>
              <CLink c={c} to={flagsOfParty}>
                {t('allPartyFlags')}
              </CLink>
            </p>
          )}
        </section>
      )}
    </article>
  );
}

function Records({ p, ds, id, title, rows, testid }: { p: PageProps; ds: DsRef; id: string; title: string; rows: PartyRecord[]; testid: string }) {
  const { c, t } = p;
  if (!rows.length) return null;
  return (
    <section aria-labelledby={id}>
      <h3 id={id}>{title}</h3>
      {rows.some((r) => r.nameMatch) && <p class="muted small">{t('nameMatchNote')}</p>}
      <div class="table-wrap" tabIndex={0} role="region" aria-labelledby={id}>
        <table data-testid={testid}>
          <thead>
            <tr>
              <th scope="col">{t('titleCol')}</th>
              <th scope="col">{t('counterpart')}</th>
              <th scope="col">{t('method')}</th>
              <th scope="col">{t('date')}</th>
              <th scope="col" class="num">
                {t('amount')}
              </th>
              <th scope="col">{t('source')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => {
              const sp = sourceParts(r.source);
              // A record may come from another dataset (a contracts party's payments).
              const rds = dsRef(r.dataset) ?? ds;
              return (
                <tr key={i}>
                  <th scope="row">
                    {r.ocid ? (
                      <ContractLink c={c} ds={rds} ocid={r.ocid}>
                        <SourceText ds={rds.id} text={r.title || r.id || r.ocid} />
                      </ContractLink>
                    ) : r.kind === RecordKind.PAYMENT && r.id ? (
                      <CLink c={c} to={withSearch(c, { ...NO_FILTERS, q: r.id, sets: [rds], kinds: ['payment'] })}>
                        <SourceText ds={rds.id} text={r.title || r.id} />
                      </CLink>
                    ) : (
                      <SourceText ds={rds.id} text={r.title || r.id || '—'} />
                    )}
                    {r.kind === RecordKind.PAYMENT && r.id && (
                      <span class="muted small">
                        {' '}
                        (<bdi dir="ltr">{r.id}</bdi>)
                      </span>
                    )}
                    {rds.id !== ds.id && (
                      <span class="muted small">
                        {' '}
                        · <DatasetLabel catalog={p.catalog} ds={rds} t={t} num={p.num} lang={p.s.lang} />
                      </span>
                    )}
                    {r.nameMatch && (
                      <span class="badge namematch" title={t('nameMatchNote')}>
                        {t('nameMatch')}
                      </span>
                    )}
                  </th>
                  <td>
                    <PartyLink c={c} ds={rds} party={r.counterpart} />
                  </td>
                  <td>{r.kind === RecordKind.PAYMENT ? '—' : methodLabel(t, r.method)}</td>
                  <td>
                    <bdi class="nowrap">{r.date || '—'}</bdi>
                  </td>
                  <td class="num">{r.value?.amount ? <Money value={r.value.amount} currency={r.value.currency} /> : '—'}</td>
                  <td class="small">
                    <code dir="ltr">
                      {sp.file}
                      {sp.kind === 'row' ? ` #${sp.where}` : sp.kind === 'pointer' ? ` ${sp.where}` : ''}
                    </code>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
