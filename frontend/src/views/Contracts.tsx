import type { T } from '../hooks';

/**
 * Contracts and payments: the ContractService does not exist yet. The route
 * is kept so links and navigation are stable; it shows no data at all.
 */
export function Contracts({ t }: { t: T }) {
  return (
    <section class="view contracts" aria-labelledby="view-title">
      <h1 id="view-title">{t('contractsTitle')}</h1>
      <p class="notice" role="status" data-testid="contracts-not-ready">
        {t('contractsNotReady')}
      </p>
    </section>
  );
}
