import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CONTRACTS,
  NO_FILTERS,
  decodeContracts,
  decodeDsRef,
  encodeContracts,
  encodeDsRef,
  facetActive,
  facetPatch,
  kindFromKey,
  rangeYear,
  toggle,
  withSearch,
  yearRange,
  type ContractsState,
} from '../src/lib/contractsUrl';
import { DEFAULT_STATE, decodeState, encodeState, type AppState } from '../src/lib/url';

function roundTrip(s: AppState): AppState {
  const url = new URL(encodeState(s), 'http://x');
  return decodeState(url.pathname, url.search);
}

const FULL: ContractsState = {
  page: 'party',
  q: 'مؤسسة  الخليج, "LTD" & co',
  sets: [
    { id: 'canada-contracts-2014', version: 3 },
    { id: 'a@b', version: 1 },
  ],
  kinds: ['process', 'payment'],
  buyers: ['e:1', 'e,2'],
  suppliers: ['وزارة الصحة'],
  methods: ['open', ''],
  currencies: ['CAD', 'GBP'],
  flags: ['single_bidder'],
  budgets: [' 2521 ', '01.1/x'],
  min: '1000.50',
  max: '-5',
  from: '2013-01-01',
  to: '2013-12-31',
  competitive: 'no',
  sort: 'date',
  asc: true,
  size: 50,
  pages: ['AQID', 'BAUG_-x'],
  ds: { id: 'manchester-spending', version: 2 },
  ocid: 'ocds-a1b2c3-PW-$$XX-123/4?x',
  entity: 'supplier:acme ltd',
  fcodes: ['split_purchase', 'round_amount'],
  fbuyer: 'b 1',
  fsupplier: 's&2',
  fyear: 2014,
  fpages: ['tok'],
};

describe('contracts URL state', () => {
  it('round-trips a full state through the app URL', () => {
    const s: AppState = { ...DEFAULT_STATE, view: 'contracts', lang: 'en', dataset: 'bh', version: 2, contracts: FULL };
    const back = roundTrip(s);
    expect(back.contracts).toEqual(FULL);
    expect(back.dataset).toBe('bh');
    expect(back.version).toBe(2);
  });

  it('puts the page in the path and leaves defaults out', () => {
    const url = encodeState({ ...DEFAULT_STATE, view: 'contracts', contracts: { ...DEFAULT_CONTRACTS, page: 'flags' } });
    expect(url).toBe('/contracts/flags?lang=ar');
    expect(encodeState({ ...DEFAULT_STATE, view: 'contracts', contracts: DEFAULT_CONTRACTS })).toBe('/contracts?lang=ar');
    for (const page of ['search', 'contract', 'party', 'flags'] as const) {
      expect(roundTrip({ ...DEFAULT_STATE, view: 'contracts', contracts: { ...DEFAULT_CONTRACTS, page } }).contracts?.page).toBe(page);
    }
  });

  it('keeps contract state out of other views', () => {
    const url = encodeState({ ...DEFAULT_STATE, view: 'explore', contracts: FULL });
    expect(url).toBe('/explore?lang=ar');
    expect(decodeState('/explore', '?q=x&in=a@1').contracts).toBeUndefined();
    expect(decodeState('/contracts', '').contracts).toEqual(DEFAULT_CONTRACTS);
  });

  it('uses parameter names the rest of the app does not', () => {
    const s: AppState = {
      ...DEFAULT_STATE,
      view: 'contracts',
      lang: 'en',
      dataset: 'd',
      version: 1,
      year: 2020,
      phase: 'approved',
      sort: '-amount',
      tab: 't',
      contracts: FULL,
    };
    const q = new URLSearchParams();
    encodeContracts(FULL, q);
    const mine = new Set(q.keys());
    const app = new URLSearchParams(new URL(encodeState({ ...s, view: 'explore' }), 'http://x').search);
    for (const k of app.keys()) expect(mine.has(k), k).toBe(false);
    const back = roundTrip(s);
    expect({ ...back, contracts: undefined }).toEqual({ ...s, contracts: undefined });
  });

  it('falls back on junk', () => {
    const c = decodeContracts('nowhere', new URLSearchParams('min=1e5&max=abc&from=2013-1-1&to=x&comp=maybe&order=title&asc=yes&n=7&fy=year&kind=contract&kind=payment&budget=%20'));
    expect(c).toEqual({ ...DEFAULT_CONTRACTS, kinds: ['payment'] });
    expect(decodeContracts('', new URLSearchParams('n=100')).size).toBe(100);
  });

  it('writes lists as repeated parameters, escaped once', () => {
    const url = encodeState({
      ...DEFAULT_STATE,
      view: 'contracts',
      contracts: { ...DEFAULT_CONTRACTS, sets: [{ id: 'ca', version: 2 }, { id: 'mcr', version: 1 }], methods: ['limited', ''] },
    });
    expect(url).toBe('/contracts?lang=ar&sets=ca%402&sets=mcr%401&method=limited&method=');
    expect(decodeState('/contracts', url.split('?')[1]).contracts?.methods).toEqual(['limited', '']);
  });

  it('encodes dataset versions', () => {
    expect(encodeDsRef({ id: 'x', version: 0 })).toBe('x');
    expect(encodeDsRef({ id: 'x', version: 4 })).toBe('x@4');
    expect(decodeDsRef('x@4')).toEqual({ id: 'x', version: 4 });
    expect(decodeDsRef('a@b')).toEqual({ id: 'a@b', version: 0 });
    expect(decodeDsRef('a@b@2')).toEqual({ id: 'a@b', version: 2 });
    expect(decodeDsRef('')).toBeNull();
  });
});

describe('search state changes', () => {
  const base: ContractsState = { ...DEFAULT_CONTRACTS, sets: [{ id: 'ca', version: 2 }, { id: 'mcr', version: 5 }], pages: ['t1', 't2'] };

  it('resets paging and returns to the search page on any filter change', () => {
    const next = withSearch({ ...base, page: 'party' }, { q: 'x' });
    expect(next.pages).toEqual([]);
    expect(next.page).toBe('search');
    expect(next.q).toBe('x');
  });

  it('toggles list filters', () => {
    expect(toggle(['a'], 'b')).toEqual(['a', 'b']);
    expect(toggle(['a', 'b'], 'a')).toEqual(['b']);
  });

  it('turns a year into a date range and back', () => {
    expect(yearRange(2013)).toEqual({ from: '2013-01-01', to: '2013-12-31' });
    expect(rangeYear('2013-01-01', '2013-12-31')).toBe(2013);
    expect(rangeYear('2013-01-01', '2014-12-31')).toBe(0);
    expect(rangeYear('', '')).toBe(0);
  });

  it('maps facet clicks to filters, and a second click undoes the first', () => {
    for (const [facet, key, field] of [
      ['method', 'limited', 'methods'],
      ['currency', 'CAD', 'currencies'],
      ['buyer', 'e1', 'buyers'],
      ['supplier', 'e2', 'suppliers'],
      ['flag', 'single_bidder', 'flags'],
      ['budget', '0101', 'budgets'],
    ] as const) {
      const once = { ...base, ...facetPatch(base, facet, key) };
      expect(once[field]).toEqual([key]);
      expect(facetActive(once, facet, key)).toBe(true);
      const twice = { ...once, ...facetPatch(once, facet, key) };
      expect(twice[field]).toEqual([]);
      expect(facetActive(twice, facet, key)).toBe(false);
    }
    const y = { ...base, ...facetPatch(base, 'year', '2012') };
    expect([y.from, y.to]).toEqual(['2012-01-01', '2012-12-31']);
    expect(facetActive(y, 'year', '2012')).toBe(true);
    expect({ ...y, ...facetPatch(y, 'year', '2012') }.from).toBe('');
    expect(facetPatch(base, 'year', 'soon')).toBeNull();
    expect(facetPatch(base, 'nonsense', 'x')).toBeNull();
  });

  it('narrows to one dataset keeping its pinned version, and widens back', () => {
    const one = { ...base, ...facetPatch(base, 'dataset', 'mcr') };
    expect(one.sets).toEqual([{ id: 'mcr', version: 5 }]);
    expect(facetActive(one, 'dataset', 'mcr')).toBe(true);
    expect(facetActive(one, 'dataset', 'mcr@5')).toBe(true);
    expect({ ...one, ...facetPatch(one, 'dataset', 'mcr') }.sets).toEqual([]);
    expect({ ...base, ...facetPatch(base, 'dataset', 'ca@7') }.sets).toEqual([{ id: 'ca', version: 7 }]);
  });

  it('reads kind facet keys in any spelling', () => {
    expect(kindFromKey('process')).toBe('process');
    expect(kindFromKey('RECORD_KIND_PAYMENT')).toBe('payment');
    expect(kindFromKey('1')).toBe('process');
    expect(kindFromKey('award')).toBeNull();
    const k = { ...base, ...facetPatch(base, 'kind', 'RECORD_KIND_PROCESS') };
    expect(k.kinds).toEqual(['process']);
  });

  it('clears every filter but keeps the query, datasets, sort and paging size', () => {
    const busy: ContractsState = { ...FULL, page: 'search' };
    const clear = withSearch(busy, NO_FILTERS);
    expect(clear.q).toBe(busy.q);
    expect(clear.sets).toEqual(busy.sets);
    expect(clear.sort).toBe(busy.sort);
    expect(clear.size).toBe(busy.size);
    for (const k of Object.keys(NO_FILTERS) as (keyof ContractsState)[]) expect(clear[k]).toEqual(DEFAULT_CONTRACTS[k]);
  });
});
