import type { ComponentChildren } from 'preact';
import { useI18n } from '../hooks';
import { formatCompactMoney, formatMoney } from '../lib/format';
import { href, setState } from '../store';
import type { AppState } from '../lib/url';

export function Loading() {
  const { t } = useI18n();
  return (
    <p class="loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" /> {t('loading')}
    </p>
  );
}

export function ErrorBox({ error, retry }: { error: unknown; retry?: () => void }) {
  const { t } = useI18n();
  const msg = error instanceof Error ? error.message : String(error);
  return (
    <div class="error" role="alert">
      <strong>{t('error')}</strong>
      <p dir="auto">{msg}</p>
      {retry && (
        <button type="button" onClick={retry}>
          {t('retry')}
        </button>
      )}
    </div>
  );
}

/** The label every view shows for generated data, in both languages. */
export function SyntheticBadge({ synthetic }: { synthetic: boolean }) {
  const { t } = useI18n();
  if (!synthetic) return null;
  return (
    <span class="badge synthetic" title={t('syntheticNote')} data-testid="synthetic-badge">
      <span lang="en" dir="ltr">synthetic</span> / <span lang="ar" dir="rtl">بيانات اصطناعية</span>
    </span>
  );
}

/**
 * A member's label at the drilldown reference at, marked with its own
 * language when the API says it is not the one asked for (a Spanish label
 * on an English page), so that screen readers read it right (WCAG 3.1.2).
 */
export function MemberLabel({ row, at }: { row: { keys: Record<string, string>; labels: Record<string, string>; labelLangs: Record<string, string> }; at: string }) {
  const text = row.labels[at] || row.keys[at];
  const lang = row.labels[at] ? row.labelLangs[at] : undefined;
  return lang ? (
    <bdi lang={lang} data-label-lang={lang}>
      {text}
    </bdi>
  ) : (
    <>{text}</>
  );
}

/** Exact money from a decimal string; the exact value stays in data-value. */
export function Money({ value, currency, compact }: { value: string; currency: string; compact?: boolean }) {
  const { num } = useI18n();
  if (!value) return <span class="money">—</span>;
  const exact = formatMoney(value, currency, num);
  return (
    <span class="money" data-value={value} data-currency={currency} title={compact ? exact : undefined} dir="auto">
      <bdi>{compact ? formatCompactMoney(value, currency, num) : exact}</bdi>
    </span>
  );
}

/** An in-app link: a real href (so it can be opened in a new tab) that navigates without reload. */
export function Link({
  to,
  children,
  class: cls,
  current,
  ...rest
}: {
  to: Partial<AppState>;
  children: ComponentChildren;
  class?: string;
  current?: boolean;
  [k: string]: unknown;
}) {
  return (
    <a
      {...rest}
      class={cls}
      href={href(to)}
      aria-current={current ? 'page' : undefined}
      onClick={(e) => {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        setState(to);
      }}
    >
      {children}
    </a>
  );
}

export function Field({ label, children, id }: { label: string; children: ComponentChildren; id: string }) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {children}
    </div>
  );
}

/** A group of toggle buttons (radio semantics). */
export function Segmented<V extends string>({
  label,
  value,
  options,
  onChange,
}: {
  label: string;
  value: V;
  options: { value: V; label: string; disabled?: boolean }[];
  onChange: (v: V) => void;
}) {
  return (
    <div class="segmented" role="group" aria-label={label}>
      {options.map((o) => (
        <button
          type="button"
          key={o.value}
          aria-pressed={o.value === value}
          disabled={o.disabled}
          onClick={() => onChange(o.value)}
        >
          {o.label}
        </button>
      ))}
    </div>
  );
}
