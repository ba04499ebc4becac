import { useEffect } from 'preact/hooks';
import { lazy, Suspense } from 'preact/compat';
import { getDataset, listDatasets } from './lib/api';
import { defaultDataset, defaultPhase, viewableDatasets } from './lib/catalog';
import { pick, term as termOf } from './lib/i18n';
import { formatYear } from './lib/format';
import { type View } from './lib/url';
import { setState, useAppState } from './store';
import { useAsync, useI18n } from './hooks';
import { ErrorBox, Link, Loading, SyntheticBadge } from './components/ui';
import { Overview } from './views/Overview';
import type { ViewProps } from './context';
import { VersionStatus } from './gen/mizan/v1/catalog_pb';

const Explore = lazy(() => import('./views/Explore').then((m) => m.Explore));
const Execution = lazy(() => import('./views/Execution').then((m) => m.Execution));
const Trends = lazy(() => import('./views/Trends').then((m) => m.Trends));
const Contracts = lazy(() => import('./views/Contracts').then((m) => m.Contracts));
const Data = lazy(() => import('./views/Data').then((m) => m.Data));

const NAV: { view: View; key: 'viewOverview' | 'viewExplore' | 'viewExecution' | 'viewTrends' | 'viewContracts' | 'viewData' }[] = [
  { view: 'overview', key: 'viewOverview' },
  { view: 'explore', key: 'viewExplore' },
  { view: 'execution', key: 'viewExecution' },
  { view: 'trends', key: 'viewTrends' },
  { view: 'contracts', key: 'viewContracts' },
  { view: 'data', key: 'viewData' },
];

const RESET = { version: 0, year: 0, phase: '', path: [], drill: [], cuts: [], ref: '', sort: '', by: '' };

export function App() {
  const s = useAppState();
  const { t, num } = useI18n();
  const list = useAsync(() => listDatasets(), []);
  const viewable = list.data ? viewableDatasets(list.data) : [];
  const dsId = s.dataset || defaultDataset(viewable)?.id || '';
  const detail = useAsync(() => (dsId ? getDataset(dsId, s.version) : undefined), [dsId, s.version]);
  const ds = detail.data && detail.data.id === dsId ? detail.data : undefined;

  // Pin what the URL left open (dataset, version, year, phase) so that the
  // address is a permalink of exactly what is shown.
  useEffect(() => {
    if (!ds) return;
    const patch: Partial<typeof s> = {};
    if (s.dataset !== ds.id) patch.dataset = ds.id;
    const v = ds.version?.number ?? 0;
    if (s.version !== v && v) patch.version = v;
    if ((!s.year || !ds.years.includes(s.year)) && ds.years.length) patch.year = ds.years[ds.years.length - 1];
    if ((!s.phase || !ds.phases.includes(s.phase)) && ds.phases.length) patch.phase = defaultPhase(ds.phases);
    if (Object.keys(patch).length) setState(patch, { replace: true });
  }, [ds, s.dataset, s.version, s.year, s.phase]);

  useEffect(() => {
    document.title = `${t('appName')} · ${t(NAV.find((n) => n.view === s.view)!.key)}`;
  }, [s.view, s.lang]);

  const ready = list.data && ds && s.version && s.year && s.phase;
  const props: ViewProps | undefined = ready ? { s, all: list.data!, ds, t, num } : undefined;

  const body = () => {
    if (s.view === 'contracts') return <Contracts s={s} t={t} num={num} />;
    if (list.error) return <ErrorBox error={list.error} retry={list.reload} />;
    if (detail.error) return <ErrorBox error={detail.error} retry={detail.reload} />;
    if (list.data && !viewable.length && s.view !== 'data') return <p>{t('noDatasets')}</p>;
    if (!props) return <Loading />;
    switch (s.view) {
      case 'explore':
        return <Explore {...props} />;
      case 'execution':
        return <Execution {...props} />;
      case 'trends':
        return <Trends {...props} />;
      case 'data':
        return <Data {...props} />;
      default:
        return <Overview {...props} />;
    }
  };

  if (s.embed) {
    return (
      <main id="main" class="embed">
        <Suspense fallback={<Loading />}>{body()}</Suspense>
        {ds && (
          <p class="embed-foot">
            <SyntheticBadge synthetic={ds.synthetic} /> {pick(ds.title, s.lang)} ·{' '}
            <a href={location.href.replace(/([?&])embed=1&?/, '$1').replace(/[?&]$/, '')} target="_blank" rel="noopener">
              {t('embedOpen')}
            </a>
          </p>
        )}
      </main>
    );
  }

  const showYear = ['overview', 'explore', 'execution'].includes(s.view);
  const showPhase = ['overview', 'explore', 'trends'].includes(s.view);
  const showDataset = s.view !== 'contracts';

  return (
    <>
      <a class="skip" href="#main">
        {t('skipToContent')}
      </a>
      <header class="top">
        <div class="brand">
          <Link to={{ view: 'overview' }} class="logo">
            <span aria-hidden="true" class="logo-mark">⚖</span> {t('appName')}
          </Link>
          <span class="tagline">{t('tagline')}</span>
        </div>
        <nav aria-label={t('nav')}>
          <ul>
            {NAV.map((n) => (
              <li key={n.view}>
                <Link to={{ view: n.view, embed: false, contracts: undefined }} current={s.view === n.view} data-view={n.view}>
                  {t(n.key)}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div class="prefs">
          {/* The visible text is part of the accessible name (WCAG 2.5.3,
              label in name): a speech user says what they see. */}
          <button
            type="button"
            class="lang-switch"
            data-testid="lang-switch"
            onClick={() => setState({ lang: s.lang === 'ar' ? 'en' : 'ar' })}
          >
            <span class="sr-only">{t('switchLangLabel')}: </span>
            <span lang={s.lang === 'ar' ? 'en' : 'ar'}>{t('switchLang')}</span>
          </button>
          <button
            type="button"
            class="digits-switch"
            aria-pressed={s.digits === 'arab'}
            title={t('digitsLabel')}
            data-testid="digits-switch"
            onClick={() => setState({ digits: s.digits === 'arab' ? 'latn' : 'arab' })}
          >
            <span class="sr-only">{t('digitsLabel')}: </span>
            {t('digitsArabic')}
          </button>
        </div>
      </header>
      {showDataset && list.data && viewable.length > 0 && (
        <form class="selectors" aria-label={t('dataset')} onSubmit={(e) => e.preventDefault()}>
          <div class="field">
            <label for="sel-dataset">{t('dataset')}</label>
            <select
              id="sel-dataset"
              value={dsId}
              onChange={(e) => setState({ dataset: (e.target as HTMLSelectElement).value, ...RESET })}
            >
              {viewable.map((d) => (
                <option key={d.id} value={d.id}>
                  {pick(d.title, s.lang) || d.id}
                  {d.synthetic ? ` (${t('synthetic')})` : ''}
                </option>
              ))}
            </select>
          </div>
          {ds && ds.versions.length > 0 && (
            <div class="field">
              <label for="sel-version">{t('version')}</label>
              <select
                id="sel-version"
                value={String(s.version)}
                onChange={(e) => setState({ version: Number((e.target as HTMLSelectElement).value) })}
              >
                {ds.versions.map((v) => (
                  <option key={v.number} value={String(v.number)}>
                    {formatYear(v.number, num)}
                    {v.status === VersionStatus.DRAFT ? ` (${t('draft')})` : ''}
                  </option>
                ))}
              </select>
            </div>
          )}
          {ds && showYear && (
            <div class="field">
              <label for="sel-year">{t('year')}</label>
              <select
                id="sel-year"
                value={String(s.year)}
                onChange={(e) => setState({ year: Number((e.target as HTMLSelectElement).value) })}
              >
                {ds.years.map((y) => (
                  <option key={y} value={String(y)}>
                    {formatYear(y, num)}
                  </option>
                ))}
              </select>
            </div>
          )}
          {ds && showPhase && ds.phases.length > 0 && (
            <div class="field">
              <label for="sel-phase">{t('phase')}</label>
              <select
                id="sel-phase"
                value={s.phase}
                onChange={(e) => setState({ phase: (e.target as HTMLSelectElement).value })}
              >
                {ds.phases.map((p) => (
                  <option key={p} value={p}>
                    {termOf(s.lang, p)}
                  </option>
                ))}
              </select>
            </div>
          )}
          {ds && <SyntheticBadge synthetic={ds.synthetic} />}
        </form>
      )}
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<Loading />}>{body()}</Suspense>
      </main>
      <footer class="foot">
        {ds && s.view !== 'contracts' && (
          <p>
            {t('source')}: {pick(ds.publisher, s.lang) || pick(ds.title, s.lang)}
            {ds.licence?.name ? ` · ${t('licence')}: ${ds.licence.name}` : ''} ·{' '}
            <Link to={{ view: 'data', tab: ds.id }}>{t('viewData')}</Link>
          </p>
        )}
      </footer>
    </>
  );
}

