import { useEffect, useMemo, useState } from 'preact/hooks';
import { useAppState } from './store';
import { translate, type MsgKey } from './lib/i18n';
import type { NumOpts } from './lib/format';

export interface Async<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** Runs fn when deps change; stale results are dropped. */
export function useAsync<T>(fn: () => Promise<T> | undefined, deps: unknown[]): Async<T> {
  const [tick, setTick] = useState(0);
  const [st, setSt] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  useEffect(() => {
    let live = true;
    const p = fn();
    if (!p) {
      setSt({ loading: false });
      return;
    }
    setSt((s) => ({ data: s.data, loading: true }));
    p.then(
      (data) => live && setSt({ data, loading: false }),
      (error) => live && setSt({ error, loading: false }),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  return { data: st.data, error: st.error, loading: st.loading, reload: () => setTick((t) => t + 1) };
}

export type T = (key: MsgKey, vars?: Record<string, string | number>) => string;

/** Translation function and number options for the current language. */
export function useI18n(): { t: T; num: NumOpts } {
  const s = useAppState();
  return useMemo(
    () => ({
      t: (key: MsgKey, vars?: Record<string, string | number>) => translate(s.lang, key, vars),
      num: { lang: s.lang, digits: s.digits },
    }),
    [s.lang, s.digits],
  );
}
