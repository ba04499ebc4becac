import { useState } from 'preact/hooks';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import type { ViewProps } from '../context';
import { getDataset, ingestReport } from '../lib/api';
import { kindKey } from '../lib/catalog';
import { formatInt, formatYear, formatDecimal } from '../lib/format';
import { listSep, pick, term } from '../lib/i18n';
import { setState } from '../store';
import { useAsync, useI18n } from '../hooks';
import { ErrorBox, Link, Loading, SyntheticBadge } from '../components/ui';
import { DataTable, type Column } from '../components/DataTable';
import { VersionStatus, type DatasetSummary, type Reject, type ReconciliationCheck, type SourceFile, type Version } from '../gen/mizan/v1/catalog_pb';

export function Data(p: ViewProps) {
  const { s, ds, all, t, num } = p;
  const lang = s.lang;
  const tab = all.some((d) => d.id === s.tab) ? s.tab : ds.id;
  const version = tab === ds.id ? s.version : 0;
  const detail = useAsync(() => getDataset(tab, version), [tab, version]);
  const d = detail.data;
  const [pages, setPages] = useState<string[]>(['']);
  const v = d?.version?.number ?? 0;
  const report = useAsync(
    () => (d ? Promise.all(pages.map((pageToken) => ingestReport({ dataset: d.id, version: v, pageSize: 100, pageToken }))) : undefined),
    [d?.id, v, pages.join(',')],
  );
  const last = report.data?.[report.data.length - 1];
  const rejects = report.data?.flatMap((r) => r.rejects) ?? [];
  const date = (x: Version) => (x.createdAt ? new Intl.DateTimeFormat(`${lang}-u-nu-${s.digits}`, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(timestampDate(x.createdAt)) : '');

  const dsColumns: Column<DatasetSummary>[] = [
    {
      key: 'title',
      label: t('dataset'),
      rowHeader: true,
      sortValue: (x) => pick(x.title, lang),
      render: (x) => (
        <>
          <Link to={{ tab: x.id }} current={x.id === tab}>
            {pick(x.title, lang) || x.id}
          </Link>{' '}
          <SyntheticBadge synthetic={x.synthetic} />
          <br />
          <code>{x.id}</code>
        </>
      ),
    },
    { key: 'kind', label: t('kind'), render: (x) => t(kindKey(x.kind)) },
    { key: 'country', label: t('country'), render: (x) => x.country },
    { key: 'currency', label: t('currency'), render: (x) => x.currency },
    { key: 'version', label: t('version'), numeric: true, render: (x) => formatYear(x.latestVersion, num) },
    { key: 'rows', label: t('rows'), numeric: true, sortValue: (x) => Number(x.rowCount), render: (x) => formatInt(x.rowCount, num) },
    {
      key: 'years',
      label: t('years'),
      render: (x) => (x.years.length ? `${formatYear(x.years[0], num)}–${formatYear(x.years[x.years.length - 1], num)}` : ''),
    },
  ];
  const verColumns: Column<Version>[] = [
    {
      key: 'n',
      label: t('version'),
      rowHeader: true,
      render: (x) =>
        tab === ds.id && x.number === s.version ? (
          <strong aria-current="true">{formatYear(x.number, num)}</strong>
        ) : (
          <Link to={{ dataset: tab, version: x.number, tab }}>{formatYear(x.number, num)}</Link>
        ),
    },
    { key: 'status', label: '', render: (x) => (x.status === VersionStatus.DRAFT ? t('draft') : '') },
    { key: 'created', label: t('created'), render: date },
    { key: 'rows', label: t('rows'), numeric: true, render: (x) => formatInt(x.rows, num) },
    { key: 'read', label: t('rowsRead'), numeric: true, render: (x) => formatInt(x.rowsRead, num) },
    { key: 'rej', label: t('rejected'), numeric: true, render: (x) => formatInt(x.rejected, num) },
    { key: 'factor', label: t('factor'), numeric: true, render: (x) => (x.factor ? formatDecimal(x.factor, num) : '') },
    { key: 'hash', label: t('contentHash'), render: (x) => <code class="hash">{x.contentHash}</code> },
  ];
  const srcColumns: Column<SourceFile>[] = [
    {
      key: 'name',
      label: t('file'),
      rowHeader: true,
      render: (x) => (x.url ? <a href={x.url} rel="noopener noreferrer"><bdi>{x.name}</bdi></a> : <bdi>{x.name}</bdi>),
    },
    { key: 'sheet', label: t('sheet'), render: (x) => x.sheet },
    { key: 'sha', label: 'SHA-256', render: (x) => <code class="hash" data-testid="sha256">{x.sha256}</code> },
    { key: 'bytes', label: t('size'), numeric: true, render: (x) => formatInt(x.bytes, num) },
    { key: 'rows', label: t('rows'), numeric: true, render: (x) => formatInt(x.rows, num) },
  ];
  const rejColumns: Column<Reject>[] = [
    { key: 'file', label: t('file'), render: (x) => <bdi>{x.file}{x.sheet ? ` [${x.sheet}]` : ''}</bdi> },
    { key: 'row', label: t('row'), numeric: true, render: (x) => formatInt(x.row, num) },
    { key: 'col', label: t('column'), render: (x) => <bdi>{x.column}</bdi> },
    { key: 'raw', label: t('raw'), render: (x) => <code>{x.raw}</code> },
    { key: 'reason', label: t('reason'), render: (x) => <span dir="auto">{x.reason}</span> },
  ];
  const recColumns: Column<ReconciliationCheck>[] = [
    { key: 'scope', label: t('scope'), rowHeader: true, render: (x) => <span dir="auto">{x.scope}</span> },
    { key: 'file', label: t('file'), render: (x) => <bdi>{x.file}{x.sheet ? ` [${x.sheet}]` : ''} · {formatInt(x.row, num)}</bdi> },
    { key: 'pub', label: t('published'), numeric: true, render: (x) => (x.published ? formatDecimal(x.published, num) : '') },
    { key: 'comp', label: t('computed'), numeric: true, render: (x) => (x.computed ? formatDecimal(x.computed, num) : '') },
    {
      key: 'ok',
      label: t('matches'),
      render: (x) => (x.matches ? <span class="up">✓ {t('yes')}</span> : <span class="down">✗ {t('no')}</span>),
    },
  ];

  return (
    <section class="view data" aria-labelledby="view-title">
      <h1 id="view-title">{t('dataTitle')}</h1>
      <DataTable caption={t('datasets')} columns={dsColumns} rows={all} rowKey={(x) => x.id} testid="datasets-table" />

      {detail.error ? (
        <ErrorBox error={detail.error} retry={detail.reload} />
      ) : !d ? (
        <Loading />
      ) : (
        <>
          <h2>
            {pick(d.title, lang)} <SyntheticBadge synthetic={d.synthetic} />
          </h2>
          <div class="panel">
            {pick(d.description, lang) && <p dir="auto">{pick(d.description, lang)}</p>}
            <dl class="meta">
              <dt>{t('publisher')}</dt>
              <dd>{pick(d.publisher, lang)}</dd>
              <dt>{t('licence')}</dt>
              <dd data-testid="licence">
                {d.licence?.url ? <a href={d.licence.url} rel="noopener noreferrer">{d.licence.name || d.licence.url}</a> : d.licence?.name || '—'}
              </dd>
              {d.homepage && (
                <>
                  <dt>{t('homepage')}</dt>
                  <dd>
                    <a href={d.homepage} rel="noopener noreferrer"><bdi>{d.homepage}</bdi></a>
                  </dd>
                </>
              )}
              <dt>{t('country')}</dt>
              <dd>{d.country}</dd>
              <dt>{t('currency')}</dt>
              <dd>{d.currencies.join(', ') || d.currency}</dd>
              <dt>{t('years')}</dt>
              <dd>{d.years.map((y) => formatYear(y, num)).join(listSep(lang))}</dd>
              <dt>{t('phases')}</dt>
              <dd>{d.phases.map((x) => term(lang, x)).join(listSep(lang))}</dd>
            </dl>
          </div>
          <DataTable caption={t('versions')} columns={verColumns} rows={d.versions} rowKey={(x) => String(x.number)} />
          <h3>{t('sources')}</h3>
          <DataTable caption={t('sources')} columns={srcColumns} rows={d.sources} rowKey={(x) => String(x.id)} testid="sources-table" />

          <h2>
            {t('ingestReport')} · {t('version')} {formatYear(v, num)}
          </h2>
          {report.error ? (
            <ErrorBox error={report.error} retry={report.reload} />
          ) : !report.data ? (
            <Loading />
          ) : (
            <>
              <dl class="meta panel">
                <dt>{t('rowsRead')}</dt>
                <dd>{formatInt(report.data[0].rowsRead, num)}</dd>
                <dt>{t('rows')}</dt>
                <dd>{formatInt(report.data[0].rows, num)}</dd>
                <dt>{t('rejected')}</dt>
                <dd data-testid="rejected-count">{formatInt(report.data[0].rejectedCount, num)}</dd>
                {Object.entries(report.data[0].summary ?? {})
                  .filter(([, x]) => x === null || typeof x !== 'object')
                  .flatMap(([k, x]) => [
                    <dt key={`k-${k}`}>
                      <code>{k}</code>
                    </dt>,
                    <dd key={`v-${k}`}>
                      <bdi>{String(x)}</bdi>
                    </dd>,
                  ])}
              </dl>
              <h3>{t('rejects')}</h3>
              {rejects.length === 0 ? (
                <p>{t('noRejects')}</p>
              ) : (
                <DataTable caption={t('rejects')} columns={rejColumns} rows={rejects} rowKey={(x, i) => `${i}`} testid="rejects-table" />
              )}
              {last?.nextPageToken && (
                <button type="button" onClick={() => setPages([...pages, last.nextPageToken])}>
                  {t('moreRows')}
                </button>
              )}
              <h3>{t('reconciliation')}</h3>
              {report.data[0].reconciliation.length === 0 ? (
                <p>{t('noChecks')}</p>
              ) : (
                <DataTable caption={t('reconciliation')} columns={recColumns} rows={report.data[0].reconciliation} rowKey={(x, i) => `${i}`} />
              )}
            </>
          )}
          <ApiExamples p={p} dataset={d.id} version={v} />
        </>
      )}
    </section>
  );
}

function ApiExamples({ p, dataset, version }: { p: ViewProps; dataset: string; version: number }) {
  const { s, ds, t } = p;
  const host = location.origin;
  const dim = ds.dimensions.find((x) => x.levels.length)?.levels[0].ref ?? 'year';
  const examples: [string, string, unknown][] = [
    ['CatalogService/ListDatasets', 'ListDatasets', {}],
    ['CatalogService/GetDataset', 'GetDataset', { dataset, version }],
    [
      'QueryService/Aggregate',
      'Aggregate',
      {
        dataset,
        version,
        drilldown: [dim],
        cuts: [{ dimension: 'year', values: [String(s.year)] }, ...(s.phase ? [{ dimension: 'phase', values: [s.phase] }] : [])],
        aggregates: ['amount.sum'],
        order: [{ ref: 'amount.sum', desc: true }],
        lang: s.lang,
      },
    ],
    ['QueryService/Execution', 'Execution', { dataset, version, drilldown: [dim], cuts: [{ dimension: 'year', values: [String(s.year)] }], lang: s.lang }],
    ['CatalogService/GetIngestReport', 'GetIngestReport', { dataset, version, pageSize: 10 }],
  ];
  return (
    <>
      <h2>{t('api')}</h2>
      <p>{t('apiIntro')}</p>
      {examples.map(([path, name, body]) => {
        const cmd = `curl -H 'Content-Type: application/json' -d '${JSON.stringify(body)}' ${host}/mizan.v1.${path}`;
        return (
          <div key={name}>
            <h3 lang="en" dir="ltr" class="api-name">
              {name}
            </h3>
            <pre class="curl" tabIndex={0} data-testid={`curl-${name}`}>
              <code>{cmd}</code>
            </pre>
            <CopyButton text={cmd} />
          </div>
        );
      })}
    </>
  );
}

function CopyButton({ text }: { text: string }) {
  const { t } = useI18n();
  const [done, setDone] = useState(false);
  return (
    <button
      type="button"
      onClick={() =>
        navigator.clipboard?.writeText(text).then(
          () => {
            setDone(true);
            setTimeout(() => setDone(false), 1500);
          },
          () => setState({}),
        )
      }
    >
      {done ? t('copied') : t('copy')}
    </button>
  );
}


