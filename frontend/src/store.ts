// The application state is the URL. setState writes it (pushState, or
// replaceState for corrections that should not add history), keeps the
// language and digit choice in localStorage, and notifies subscribers.
import { useEffect, useState } from 'preact/hooks';
import { decodeState, encodeState, urlHasLang, type AppState } from './lib/url';
import { applyDocumentDirection } from './lib/rtl';
import type { Digits, Lang } from './lib/format';

const LANG_KEY = 'mizan.lang';
const DIGITS_KEY = 'mizan.digits';

function stored(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function store(key: string, v: string) {
  try {
    localStorage.setItem(key, v);
  } catch {
    /* private mode */
  }
}

function initial(): AppState {
  const s = decodeState(location.pathname, location.search);
  const q = new URLSearchParams(location.search);
  if (!urlHasLang(location.search)) {
    const saved = stored(LANG_KEY);
    s.lang = (saved === 'ar' || saved === 'en' ? saved : navigator.languages?.some((l) => l.startsWith('ar')) ? 'ar' : 'en') as Lang;
  }
  if (!q.has('nu')) {
    const saved = stored(DIGITS_KEY);
    if (saved === 'arab' || saved === 'latn') s.digits = saved as Digits;
  }
  return s;
}

let state: AppState = initial();
const listeners = new Set<(s: AppState) => void>();

function apply(next: AppState) {
  state = next;
  applyDocumentDirection(document, state.lang);
  for (const l of listeners) l(state);
}

export function getState(): AppState {
  return state;
}

export function href(patch: Partial<AppState>): string {
  return encodeState({ ...state, ...patch });
}

export function setState(patch: Partial<AppState>, opts: { replace?: boolean } = {}): void {
  const next = { ...state, ...patch };
  if (patch.lang) store(LANG_KEY, patch.lang);
  if (patch.digits) store(DIGITS_KEY, patch.digits);
  const url = encodeState(next);
  if (url !== location.pathname + location.search) {
    if (opts.replace) history.replaceState(null, '', url);
    else history.pushState(null, '', url);
  }
  apply(next);
}

export function startStore(): void {
  applyDocumentDirection(document, state.lang);
  // Write the language back into the URL so the address is a permalink.
  history.replaceState(null, '', encodeState(state));
  addEventListener('popstate', () => apply(initial()));
}

export function useAppState(): AppState {
  const [s, set] = useState(state);
  useEffect(() => {
    listeners.add(set);
    set(state);
    return () => void listeners.delete(set);
  }, []);
  return s;
}
