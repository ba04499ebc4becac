import { useI18n } from '../hooks';
import { encodeState } from '../lib/url';
import { useAppState } from '../store';

/** The iframe snippet for the current view in embed mode. */
export function EmbedCode() {
  const { t } = useI18n();
  const s = useAppState();
  const src = location.origin + encodeState({ ...s, embed: true });
  const code = `<iframe src="${src.replace(/&/g, '&amp;')}" width="100%" height="520" style="border:0" title="${t('appName')}" loading="lazy"></iframe>`;
  return (
    <details class="embed-code">
      <summary>{t('embedCode')}</summary>
      <pre class="curl" tabIndex={0}>
        <code>{code}</code>
      </pre>
    </details>
  );
}
