// Every view state lives in the URL: a permalink reproduces the view
// exactly, dataset version included. encodeState/decodeState are pure and
// round-trip (see test/url.test.ts).
import type { Digits, Lang } from './format';
import { decodeContracts, encodeContracts, type ContractsState } from './contractsUrl';

export const VIEWS = ['overview', 'explore', 'execution', 'trends', 'contracts', 'data'] as const;
export type View = (typeof VIEWS)[number];

export type ChartKind = 'bar' | 'treemap' | 'sunburst' | 'sankey';
export type Prices = 'nominal' | 'constant';

export interface CutState {
  dim: string; // "dimension.level" or fixed dimension
  values: string[];
}

export interface AppState {
  view: View;
  lang: Lang;
  digits: Digits;
  embed: boolean;
  dataset: string; // "" = first in catalog
  version: number; // 0 = latest (resolved and written back on load)
  year: number; // 0 = latest year of the dataset
  phase: string; // "" = dataset default
  direction: string; // overview/explore direction, "" = expenditure
  by: string; // overview: dimension id of the treemap
  path: string[]; // overview: member keys drilled into, top down
  drill: string[]; // explore: drilldown refs
  cuts: CutState[]; // explore: cuts
  sort: string; // explore/execution table sort: "ref" or "-ref"
  chart: ChartKind; // explore chart
  ref: string; // execution/trends: dimension level ref
  threshold: string; // execution: low threshold as a fraction ("0.5"), "" = service default
  prices: Prices; // trends
  tab: string; // data view: selected dataset id
  contracts?: ContractsState; // contracts view only (lib/contractsUrl.ts); absent elsewhere
}

export const DEFAULT_STATE: AppState = {
  view: 'overview',
  lang: 'ar',
  digits: 'latn',
  embed: false,
  dataset: '',
  version: 0,
  year: 0,
  phase: '',
  direction: '',
  by: '',
  path: [],
  drill: [],
  cuts: [],
  sort: '',
  chart: 'bar',
  ref: '',
  threshold: '',
  prices: 'nominal',
  tab: '',
};

/** Joins list items so that any character survives: items are percent-encoded, then joined by ",". */
export function encodeList(xs: string[]): string {
  return xs.map((x) => encodeURIComponent(x)).join(',');
}

export function decodeList(s: string | null): string[] {
  if (!s) return [];
  return s.split(',').map((x) => {
    try {
      return decodeURIComponent(x);
    } catch {
      return x;
    }
  });
}

function encodeCut(c: CutState): string {
  return encodeURIComponent(c.dim) + ':' + encodeList(c.values);
}

function decodeCut(s: string): CutState | null {
  const i = s.indexOf(':');
  if (i <= 0) return null;
  try {
    return { dim: decodeURIComponent(s.slice(0, i)), values: decodeList(s.slice(i + 1)) };
  } catch {
    return null;
  }
}

function int(s: string | null, def: number): number {
  if (s == null || !/^\d+$/.test(s)) return def;
  return Number(s);
}

function oneOf<T extends string>(s: string | null, allowed: readonly T[], def: T): T {
  return s != null && (allowed as readonly string[]).includes(s) ? (s as T) : def;
}

/** Path and query string ("/explore?ds=…") for a state; defaults are left out. */
export function encodeState(s: AppState, base = '/'): string {
  const q = new URLSearchParams();
  const put = (k: string, v: string | number | boolean, def: string | number | boolean) => {
    if (v !== def) q.set(k, typeof v === 'boolean' ? (v ? '1' : '0') : String(v));
  };
  put('lang', s.lang, '');
  put('nu', s.digits, DEFAULT_STATE.digits);
  put('ds', s.dataset, '');
  put('v', s.version, 0);
  put('y', s.year, 0);
  put('ph', s.phase, '');
  put('dir', s.direction, '');
  put('by', s.by, '');
  if (s.path.length) q.set('path', encodeList(s.path));
  if (s.drill.length) q.set('dd', encodeList(s.drill));
  for (const c of s.cuts) q.append('cut', encodeCut(c));
  put('sort', s.sort, '');
  put('chart', s.chart, DEFAULT_STATE.chart);
  put('ref', s.ref, '');
  put('th', s.threshold, '');
  put('prices', s.prices, DEFAULT_STATE.prices);
  put('tab', s.tab, '');
  put('embed', s.embed, false);
  const sub = s.view === 'contracts' && s.contracts ? encodeContracts(s.contracts, q) : '';
  const path = base.replace(/\/$/, '') + '/' + (s.view === 'overview' ? '' : s.view) + (sub ? '/' + sub : '');
  const qs = q.toString();
  return qs ? `${path}?${qs}` : path;
}

/** Reads a state from a location's pathname and search. Unknown values fall back to defaults. */
export function decodeState(pathname: string, search: string, base = '/'): AppState {
  const q = new URLSearchParams(search);
  const rest = pathname.startsWith(base) ? pathname.slice(base.length) : pathname.replace(/^\//, '');
  const segments = rest.replace(/^\/+|\/+$/g, '').split('/');
  const view = oneOf(segments[0] || 'overview', VIEWS, 'overview');
  const th = q.get('th') ?? '';
  return {
    ...(view === 'contracts' ? { contracts: decodeContracts(segments[1] ?? '', q) } : {}),
    view,
    lang: oneOf(q.get('lang'), ['ar', 'en'] as const, DEFAULT_STATE.lang),
    digits: oneOf(q.get('nu'), ['latn', 'arab'] as const, DEFAULT_STATE.digits),
    embed: q.get('embed') === '1',
    dataset: q.get('ds') ?? '',
    version: int(q.get('v'), 0),
    year: int(q.get('y'), 0),
    phase: q.get('ph') ?? '',
    direction: q.get('dir') ?? '',
    by: q.get('by') ?? '',
    path: decodeList(q.get('path')),
    drill: decodeList(q.get('dd')),
    cuts: q.getAll('cut').map(decodeCut).filter((c): c is CutState => c !== null),
    sort: q.get('sort') ?? '',
    chart: oneOf(q.get('chart'), ['bar', 'treemap', 'sunburst', 'sankey'] as const, DEFAULT_STATE.chart),
    ref: q.get('ref') ?? '',
    threshold: /^\d*\.?\d+$/.test(th) ? th : '',
    prices: oneOf(q.get('prices'), ['nominal', 'constant'] as const, DEFAULT_STATE.prices),
    tab: q.get('tab') ?? '',
  };
}

/** Whether the URL named a language explicitly (otherwise localStorage decides). */
export function urlHasLang(search: string): boolean {
  return new URLSearchParams(search).has('lang');
}
