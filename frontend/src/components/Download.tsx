import { useState } from 'preact/hooks';
import { useI18n } from '../hooks';
import { exportFile, ExportFormat, type AggregateInit } from '../lib/api';
import { ErrorBox } from './ui';

/** Downloads exactly the query shown, through the Export server stream. */
export function Download({ req }: { req: AggregateInit }) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const run = async (format: ExportFormat) => {
    setBusy(true);
    setError(undefined);
    try {
      const { blob, filename } = await exportFile({ aggregate: req }, format);
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = filename;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="download" role="group" aria-label={t('download')}>
      <button type="button" disabled={busy} onClick={() => run(ExportFormat.CSV)} data-testid="download-csv">
        {t('downloadCsv')}
      </button>{' '}
      <button type="button" disabled={busy} onClick={() => run(ExportFormat.PARQUET)} data-testid="download-parquet">
        {t('downloadParquet')}
      </button>
      {busy && (
        <span role="status" class="muted">
          {' '}
          {t('downloading')}
        </span>
      )}
      {error !== undefined && <ErrorBox error={error} />}
    </div>
  );
}
