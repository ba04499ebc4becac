import { useState } from 'preact/hooks';
import { useI18n } from '../hooks';
import { ExportFormat } from '../lib/api';
import { ErrorBox } from './ui';

/** A file an export stream produced. */
export type ExportedFile = { blob: Blob; filename: string };

/**
 * Buttons that download exactly what is shown, in each of formats, through
 * an export server stream (file fetches it).
 */
export function Download({ file, formats = [ExportFormat.CSV, ExportFormat.PARQUET] }: { file: (format: ExportFormat) => Promise<ExportedFile>; formats?: ExportFormat[] }) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const run = async (format: ExportFormat) => {
    setBusy(true);
    setError(undefined);
    try {
      const { blob, filename } = await file(format);
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
      {formats.includes(ExportFormat.CSV) && (
        <button type="button" disabled={busy} onClick={() => run(ExportFormat.CSV)} data-testid="download-csv">
          {t('downloadCsv')}
        </button>
      )}{' '}
      {formats.includes(ExportFormat.PARQUET) && (
        <button type="button" disabled={busy} onClick={() => run(ExportFormat.PARQUET)} data-testid="download-parquet">
          {t('downloadParquet')}
        </button>
      )}
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
