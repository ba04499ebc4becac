// The Contracts and payments view's state, as it lives in the URL: the
// page (search, contract, party, flags) is a path segment after /contracts,
// everything else is a query parameter. Search parameters stay in the URL
// while a contract or party is open, so "back to results" is a link, and a
// permalink of any page reproduces it exactly (dataset versions included).
// Pure functions; see test/contractsUrl.test.ts.

export const CPAGES = ['search', 'contract', 'party', 'flags'] as const;
export type CPage = (typeof CPAGES)[number];

export type RecordKindName = 'process' | 'payment';
export type Competitive = '' | 'yes' | 'no';
export type SortKey = 'amount' | 'date';

/** A dataset and one of its versions (0: the latest, pinned once known). */
export interface DsRef {
  id: string;
  version: number;
}

export interface ContractsState {
  page: CPage;
  // Search.
  q: string;
  sets: DsRef[]; // datasets searched; [] = every contracts and payments dataset, latest
  kinds: RecordKindName[];
  buyers: string[]; // entity ids
  suppliers: string[];
  methods: string[];
  currencies: string[];
  flags: string[]; // red flag codes
  budgets: string[]; // budget line ids (planning.budget id or project id)
  min: string; // decimal strings
  max: string;
  from: string; // YYYY-MM-DD
  to: string;
  competitive: Competitive;
  sort: SortKey;
  asc: boolean;
  size: number; // page size; 0 = the API's default (20)
  pages: string[]; // page tokens from page 2 to the page shown
  // Contract, party and flags pages.
  ds: DsRef | null; // the dataset version of the contract, party or flags list
  ocid: string;
  entity: string;
  fcodes: string[]; // flags list: codes
  fbuyer: string; // flags list: buyer entity
  fsupplier: string; // flags list: supplier entity
  fyear: number; // flags list: year, 0 = all
  fpages: string[]; // flags list: page tokens
}

export const DEFAULT_CONTRACTS: ContractsState = {
  page: 'search',
  q: '',
  sets: [],
  kinds: [],
  buyers: [],
  suppliers: [],
  methods: [],
  currencies: [],
  flags: [],
  budgets: [],
  min: '',
  max: '',
  from: '',
  to: '',
  competitive: '',
  sort: 'amount',
  asc: false,
  size: 0,
  pages: [],
  ds: null,
  ocid: '',
  entity: '',
  fcodes: [],
  fbuyer: '',
  fsupplier: '',
  fyear: 0,
  fpages: [],
};

/** Every search filter cleared (query, datasets, sort and paging kept). */
export const NO_FILTERS: Partial<ContractsState> = {
  kinds: [],
  buyers: [],
  suppliers: [],
  methods: [],
  currencies: [],
  flags: [],
  budgets: [],
  min: '',
  max: '',
  from: '',
  to: '',
  competitive: '',
};

export const PAGE_SIZES = [20, 50, 100] as const;

/** "id@version" (the version left out when 0). */
export function encodeDsRef(d: DsRef): string {
  return d.version ? `${d.id}@${d.version}` : d.id;
}

export function decodeDsRef(s: string): DsRef | null {
  if (!s) return null;
  const i = s.lastIndexOf('@');
  if (i > 0 && /^\d+$/.test(s.slice(i + 1))) return { id: s.slice(0, i), version: Number(s.slice(i + 1)) };
  return { id: s, version: 0 };
}

const DECIMAL = /^-?\d+(\.\d+)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Query parameter names, all distinct from the rest of the app's (lib/url.ts). */
const P = {
  q: 'q',
  sets: 'sets',
  kinds: 'kind',
  buyers: 'buyer',
  suppliers: 'supplier',
  methods: 'method',
  currencies: 'cur',
  flags: 'flag',
  budgets: 'budget',
  min: 'min',
  max: 'max',
  from: 'from',
  to: 'to',
  competitive: 'comp',
  sort: 'order',
  asc: 'asc',
  size: 'n',
  pages: 'pg',
  ds: 'in',
  ocid: 'ocid',
  entity: 'ent',
  fcodes: 'fc',
  fbuyer: 'fb',
  fsupplier: 'fs',
  fyear: 'fy',
  fpages: 'fpg',
} as const;

/** Writes the state's non-default parameters into q; returns the path segment after /contracts ("" for search). */
export function encodeContracts(c: ContractsState, q: URLSearchParams): string {
  const str = (k: keyof typeof P, v: string) => v && q.set(P[k], v);
  // Lists are repeated parameters (?sets=a@1&sets=b@2): no second escaping layer.
  const list = (k: keyof typeof P, v: string[]) => v.forEach((x) => q.append(P[k], x));
  str('q', c.q);
  list('sets', c.sets.map(encodeDsRef));
  list('kinds', c.kinds);
  list('buyers', c.buyers);
  list('suppliers', c.suppliers);
  list('methods', c.methods);
  list('currencies', c.currencies);
  list('flags', c.flags);
  list('budgets', c.budgets);
  str('min', c.min);
  str('max', c.max);
  str('from', c.from);
  str('to', c.to);
  str('competitive', c.competitive);
  if (c.sort !== DEFAULT_CONTRACTS.sort) q.set(P.sort, c.sort);
  if (c.asc) q.set(P.asc, '1');
  if (c.size) q.set(P.size, String(c.size));
  list('pages', c.pages);
  if (c.ds) q.set(P.ds, encodeDsRef(c.ds));
  str('ocid', c.ocid);
  str('entity', c.entity);
  list('fcodes', c.fcodes);
  str('fbuyer', c.fbuyer);
  str('fsupplier', c.fsupplier);
  if (c.fyear) q.set(P.fyear, String(c.fyear));
  list('fpages', c.fpages);
  return c.page === 'search' ? '' : c.page;
}

/** Reads the state from the path segment after /contracts and the query. Junk falls back to defaults. */
export function decodeContracts(sub: string, q: URLSearchParams): ContractsState {
  const get = (k: keyof typeof P) => q.get(P[k]) ?? '';
  const list = (k: keyof typeof P) => q.getAll(P[k]).filter((x) => x !== '' || k === 'methods');
  const page = (CPAGES as readonly string[]).includes(sub) ? (sub as CPage) : 'search';
  const num = (k: keyof typeof P, max: number) => {
    const s = get(k);
    return /^\d{1,9}$/.test(s) && Number(s) <= max ? Number(s) : 0;
  };
  const comp = get('competitive');
  return {
    page,
    q: get('q'),
    sets: list('sets')
      .map(decodeDsRef)
      .filter((d): d is DsRef => d !== null),
    kinds: list('kinds').filter((k): k is RecordKindName => k === 'process' || k === 'payment'),
    buyers: list('buyers'),
    suppliers: list('suppliers'),
    methods: list('methods'),
    currencies: list('currencies'),
    flags: list('flags'),
    budgets: list('budgets').filter((x) => x.trim() !== ''),
    min: DECIMAL.test(get('min')) ? get('min') : '',
    max: DECIMAL.test(get('max')) ? get('max') : '',
    from: DATE.test(get('from')) ? get('from') : '',
    to: DATE.test(get('to')) ? get('to') : '',
    competitive: comp === 'yes' || comp === 'no' ? comp : '',
    sort: get('sort') === 'date' ? 'date' : 'amount',
    asc: get('asc') === '1',
    size: (PAGE_SIZES as readonly number[]).includes(num('size', 500)) ? num('size', 500) : 0,
    pages: list('pages'),
    ds: decodeDsRef(get('ds')),
    ocid: get('ocid'),
    entity: get('entity'),
    fcodes: list('fcodes'),
    fbuyer: get('fbuyer'),
    fsupplier: get('fsupplier'),
    fyear: num('fyear', 9999),
    fpages: list('fpages'),
  };
}

/** The search filters a change of query or filter resets paging for. */
export function withSearch(c: ContractsState, patch: Partial<ContractsState>): ContractsState {
  return { ...c, ...patch, page: 'search', pages: [] };
}

/** Adds v to a list filter, or removes it when present. */
export function toggle(xs: string[], v: string): string[] {
  return xs.includes(v) ? xs.filter((x) => x !== v) : [...xs, v];
}

/** The whole year as a date range. */
export function yearRange(year: number): { from: string; to: string } {
  const y = String(year).padStart(4, '0');
  return { from: `${y}-01-01`, to: `${y}-12-31` };
}

/** The year a date range covers exactly, or 0. */
export function rangeYear(from: string, to: string): number {
  const m = /^(\d{4})-01-01$/.exec(from);
  return m && to === `${m[1]}-12-31` ? Number(m[1]) : 0;
}

/**
 * What clicking a facet value does to the state: the filter for that facet
 * gets the value toggled (a year becomes a date range, a dataset narrows the
 * datasets searched to that one). Returns null for a facet Mizan cannot
 * filter by.
 */
export function facetPatch(c: ContractsState, facet: string, key: string): Partial<ContractsState> | null {
  switch (facet) {
    case 'kind': {
      const k = kindFromKey(key);
      return k ? { kinds: toggle(c.kinds, k) as RecordKindName[] } : null;
    }
    case 'dataset': {
      const d = decodeDsRef(key);
      if (!d) return null;
      const pinned = c.sets.find((s) => s.id === d.id);
      const one = pinned ? { id: d.id, version: d.version || pinned.version } : d;
      return { sets: c.sets.length === 1 && c.sets[0].id === d.id ? [] : [one] };
    }
    case 'method':
      return { methods: toggle(c.methods, key) };
    case 'currency':
      return { currencies: toggle(c.currencies, key) };
    case 'buyer':
      return { buyers: toggle(c.buyers, key) };
    case 'supplier':
      return { suppliers: toggle(c.suppliers, key) };
    case 'flag':
      return { flags: toggle(c.flags, key) };
    case 'budget':
      return { budgets: toggle(c.budgets, key) };
    case 'year': {
      const y = Number(key);
      if (!Number.isInteger(y) || y <= 0) return null;
      return rangeYear(c.from, c.to) === y ? { from: '', to: '' } : yearRange(y);
    }
    default:
      return null;
  }
}

/** Whether a facet value is the one filtered by. */
export function facetActive(c: ContractsState, facet: string, key: string): boolean {
  switch (facet) {
    case 'kind':
      return c.kinds.includes(kindFromKey(key) as RecordKindName);
    case 'dataset':
      return c.sets.length === 1 && c.sets[0].id === decodeDsRef(key)?.id;
    case 'method':
      return c.methods.includes(key);
    case 'currency':
      return c.currencies.includes(key);
    case 'buyer':
      return c.buyers.includes(key);
    case 'supplier':
      return c.suppliers.includes(key);
    case 'flag':
      return c.flags.includes(key);
    case 'budget':
      return c.budgets.includes(key);
    case 'year':
      return rangeYear(c.from, c.to) === Number(key);
    default:
      return false;
  }
}

/** A kind facet's key ("process", "RECORD_KIND_PAYMENT", "2"...) as a kind name. */
export function kindFromKey(key: string): RecordKindName | null {
  const k = key.toLowerCase();
  if (k === '1' || k.includes('process')) return 'process';
  if (k === '2' || k.includes('payment')) return 'payment';
  return null;
}
