// Contracts and payments: search (with facets), contract detail, party
// profiles and red flags, over mizan.v1.ContractService. The page is a path
// segment after /contracts and every other piece of state is in the URL
// (lib/contractsUrl.ts), so a permalink reproduces any page exactly.
import { useAsync } from '../hooks';
import { ErrorBox, Loading, SyntheticBadge } from '../components/ui';
import { listDatasets } from '../lib/api';
import { redFlagDefinitions } from '../lib/contracts';
import { DEFAULT_CONTRACTS } from '../lib/contractsUrl';
import type { AppState } from '../lib/url';
import type { NumOpts } from '../lib/format';
import type { T } from '../hooks';
import { CLink, SubNav, TextLangs, moneyDatasets, textLangs, type PageProps } from './contracts/common';
import { Search } from './contracts/Search';
import { ContractPage } from './contracts/Contract';
import { PartyPage } from './contracts/Party';
import { FlagsPage } from './contracts/Flags';

export function Contracts({ s, t, num }: { s: AppState; t: T; num: NumOpts }) {
  const c = s.contracts ?? DEFAULT_CONTRACTS;
  const catalog = useAsync(() => listDatasets(), []);
  const defs = useAsync(() => redFlagDefinitions(), []);
  const titleKey = c.page === 'contract' ? 'contractDetail' : c.page === 'party' ? 'partyProfile' : c.page === 'flags' ? 'redFlags' : 'contractsTitle';

  if (catalog.error) return <ErrorBox error={catalog.error} retry={catalog.reload} />;
  if (!catalog.data) return <Loading />;
  const p: PageProps = { s, c, t, num, catalog: catalog.data, defs: defs.data?.definitions };
  const sets = moneyDatasets(catalog.data);
  const synthetic = sets.some((d) => d.synthetic && (!c.sets.length || c.sets.some((x) => x.id === d.id)));

  return (
    <TextLangs.Provider value={textLangs(catalog.data, s.lang)}>
      <section class="view contracts" aria-labelledby="view-title" data-page={c.page}>
        <h1 id="view-title">
          {t(titleKey)} {c.page === 'search' && <SyntheticBadge synthetic={synthetic} />}
        </h1>
        <SubNav p={p} />
        {(c.page === 'contract' || c.page === 'party') && (
          <nav class="crumbs" aria-label={t('breadcrumbs')}>
            <ol>
              <li>
                <CLink c={c} to={{ page: 'search' }}>
                  {c.q ? t('resultsFor', { q: c.q }) : t('searchContracts')}
                </CLink>
                <span class="sep" aria-hidden="true">
                  {' '}
                  {s.lang === 'ar' ? '‹' : '›'}
                </span>
              </li>
              <li aria-current="page">{t(titleKey)}</li>
            </ol>
          </nav>
        )}
        {defs.error && c.page === 'flags' && <ErrorBox error={defs.error} retry={defs.reload} />}
        {sets.length === 0 ? (
          <p class="notice" data-testid="no-money-datasets">
            {t('noMoneyDatasets')}
          </p>
        ) : c.page === 'contract' ? (
          <ContractPage {...p} />
        ) : c.page === 'party' ? (
          <PartyPage {...p} />
        ) : c.page === 'flags' ? (
          <FlagsPage {...p} />
        ) : (
          <Search {...p} />
        )}
      </section>
    </TextLangs.Provider>
  );
}
