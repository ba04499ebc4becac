import { describe, expect, it } from 'vitest';
import { create } from '@bufbuild/protobuf';
import {
  PartyTotalSchema,
  RecordSourceSchema,
  RedFlagDefinitionSchema,
  SearchContractsRequestSchema,
  RecordKind,
} from '../src/gen/mizan/v1/contracts_pb';
import {
  amendmentChange,
  figureLabel,
  figureName,
  flagTitle,
  flagsRequest,
  mainCurrency,
  methodKey,
  pinnedSets,
  prettyJson,
  searchRequest,
  sortedFigures,
  sourceParts,
  sumByCurrency,
  yearTable,
} from '../src/lib/contracts';
import { budgetsOfCountry } from '../src/lib/budgetLinks';
import { DEFAULT_CONTRACTS, type ContractsState } from '../src/lib/contractsUrl';
import { DatasetKind, DatasetSummarySchema } from '../src/gen/mizan/v1/catalog_pb';
import { MESSAGES } from '../src/lib/i18n';

/** Independent exact sum: cents-free integer arithmetic on the digits, for amounts with up to 6 decimals. */
function exactSum(xs: string[]): string {
  const scale = 6;
  let total = 0n;
  for (const x of xs) {
    const neg = x.startsWith('-');
    const [i, f = ''] = x.replace(/^[-+]/, '').split('.');
    const v = BigInt(i + f.padEnd(scale, '0'));
    total += neg ? -v : v;
  }
  const neg = total < 0n;
  const digits = (neg ? -total : total).toString().padStart(scale + 1, '0');
  const out = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`.replace(/\.?0+$/, '');
  return (neg ? '-' : '') + out;
}

const norm = (s: string) => exactSum([s]);

describe('requests from the URL state', () => {
  it('builds the search request the state asks for', () => {
    const c: ContractsState = {
      ...DEFAULT_CONTRACTS,
      q: '  موسسه الخليج ',
      sets: [{ id: 'ca', version: 2 }],
      kinds: ['payment'],
      buyers: ['b1'],
      suppliers: ['s1'],
      methods: ['direct', ''],
      currencies: ['CAD'],
      flags: ['f'],
      min: '10',
      max: '20.5',
      from: '2013-01-01',
      to: '2013-12-31',
      competitive: 'no',
      sort: 'date',
      asc: true,
      size: 50,
      pages: ['p2', 'p3'],
    };
    const req = create(SearchContractsRequestSchema, searchRequest(c));
    expect(req.query).toBe('موسسه الخليج');
    expect(req.datasets.map((d) => [d.id, d.version])).toEqual([['ca', 2]]);
    expect(req.kinds).toEqual([RecordKind.PAYMENT]);
    expect(req.methods).toEqual(['direct', '']);
    expect(req.competitive).toBe(false);
    expect(req.sort).toBe('date');
    expect(req.ascending).toBe(true);
    expect(req.pageSize).toBe(50);
    expect(req.pageToken).toBe('p3');
    expect([req.minAmount, req.maxAmount, req.dateFrom, req.dateTo]).toEqual(['10', '20.5', '2013-01-01', '2013-12-31']);
  });

  it('leaves competition unset when the state does not choose', () => {
    const req = create(SearchContractsRequestSchema, searchRequest(DEFAULT_CONTRACTS));
    expect(req.competitive).toBeUndefined();
    expect(req.pageToken).toBe('');
    expect(create(SearchContractsRequestSchema, searchRequest({ ...DEFAULT_CONTRACTS, competitive: 'yes' })).competitive).toBe(true);
  });

  it('builds the red flags request', () => {
    const r = flagsRequest({ ...DEFAULT_CONTRACTS, fcodes: ['x'], fbuyer: 'b', fyear: 2014, fpages: ['a', 'b'] }, { id: 'ca', version: 3 });
    expect(r).toMatchObject({ dataset: { id: 'ca', version: 3 }, codes: ['x'], buyer: 'b', supplier: '', year: 2014, pageToken: 'b' });
  });

  it('pins the datasets a response names only when the request left them open', () => {
    const searched = [
      { id: 'ca', version: 2 },
      { id: 'mcr', version: 7 },
    ];
    expect(pinnedSets([], searched)).toEqual(searched);
    expect(pinnedSets([{ id: 'ca', version: 0 }, { id: 'mcr', version: 7 }], searched)).toEqual(searched);
    expect(pinnedSets([{ id: 'ca', version: 2 }], [{ id: 'ca', version: 2 }])).toBeNull();
    expect(pinnedSets([], [])).toBeNull();
  });
});

describe('sums and tables of exact money', () => {
  const rows = [
    { year: 2012, currency: 'CAD', amount: '1000000000000000.01', count: 2n },
    { year: 2013, currency: 'CAD', amount: '0.09', count: 1n },
    { year: 2013, currency: 'GBP', amount: '-12.5', count: 4n },
    { year: 2011, currency: 'GBP', amount: '7', count: 1n },
    { year: 2014, currency: 'CAD', amount: '123456789.123', count: 3n },
  ].map((r) => create(PartyTotalSchema, r));

  it('sums per currency exactly, beyond float precision', () => {
    const got = sumByCurrency(rows);
    expect(got.map((g) => g.currency)).toEqual(['CAD', 'GBP']);
    for (const g of got) {
      const want = exactSum(rows.filter((r) => r.currency === g.currency).map((r) => r.amount));
      expect(norm(g.amount)).toBe(want);
    }
  });

  it('pivots totals by year and currency with exact totals and counts', () => {
    const t = yearTable(rows);
    expect(t.years).toEqual([2011, 2012, 2013, 2014]);
    expect(t.currencies).toEqual(['CAD', 'GBP']);
    expect(t.cell(2013, 'GBP')).toEqual({ amount: '-12.5', count: 4n });
    expect(t.cell(2011, 'CAD')).toBeUndefined();
    for (const tot of t.totals) {
      const own = rows.filter((r) => r.currency === tot.currency);
      expect(norm(tot.amount)).toBe(exactSum(own.map((r) => r.amount)));
      expect(tot.count).toBe(own.reduce((a, r) => a + r.count, 0n));
    }
    // The currency with the most records leads the chart.
    expect(mainCurrency(t)).toBe('CAD');
    expect(yearTable([]).years).toEqual([]);
  });
});

describe('labels and sources', () => {
  it('names procurement methods, and only those it knows', () => {
    for (const m of ['open', 'selective', 'limited', 'direct', '']) {
      const k = methodKey(m);
      expect(k).not.toBeNull();
      expect(MESSAGES.en[k!]).toBeTruthy();
      expect(MESSAGES.ar[k!]).toMatch(/[\u0600-\u06ff]/);
    }
    expect(methodKey('Traditional Non-Competitive')).toBeNull();
  });

  it('titles flags from their definitions, in the language asked', () => {
    const defs = [create(RedFlagDefinitionSchema, { code: 'single_bidder', title: { en: 'Single bidder', ar: 'متقدم وحيد' } })];
    expect(flagTitle(defs, 'single_bidder', 'ar')).toBe('متقدم وحيد');
    expect(flagTitle(defs, 'single_bidder', 'en')).toBe('Single bidder');
    expect(flagTitle(defs, 'other', 'en')).toBe('other');
    expect(flagTitle(undefined, 'x', 'ar')).toBe('x');
  });

  it('says where a record is in its source', () => {
    expect(sourceParts(create(RecordSourceSchema, { file: 'a.json', sha256: 'ab', pointer: '/releases/3', value: 2n }))).toEqual({
      file: 'a.json',
      sha256: 'ab',
      where: '[2]/releases/3',
      kind: 'pointer',
    });
    expect(sourceParts(create(RecordSourceSchema, { file: 'a.csv', row: 12n })).where).toBe('12');
    expect(sourceParts(undefined).kind).toBe('none');
  });

  it('compares amendment values exactly', () => {
    expect(amendmentChange('100.00', '100.001')).toBe(1);
    expect(amendmentChange('100', '100.000')).toBe(0);
    expect(amendmentChange('9007199254740993', '9007199254740992')).toBe(-1);
    expect(amendmentChange('', '5')).toBeNull();
  });

  it('orders and names figures', () => {
    expect(sortedFigures({ z: '1', a: '2' })).toEqual([
      ['a', '2'],
      ['z', '1'],
    ]);
    expect(figureName('tender_days')).toBe('tender days');
    expect(figureLabel('increase_pct', 'en')).toBe('increase (%)');
    expect(figureLabel('increase_pct', 'ar')).toMatch(/[\u0600-\u06ff]/);
    expect(figureLabel('new_thing', 'ar')).toBe('new thing');
  });

  it('pretty-prints the compiled release, keeping what is not JSON', () => {
    expect(prettyJson('{"a":[1]}')).toBe('{\n  "a": [\n    1\n  ]\n}');
    expect(prettyJson('not json')).toBe('not json');
  });

  it('links contracts only to budgets of their own country', () => {
    const all = [
      create(DatasetSummarySchema, { id: 'bh', kind: DatasetKind.BUDGET, country: 'BH' }),
      create(DatasetSummarySchema, { id: 'mx', kind: DatasetKind.BUDGET, country: 'MX' }),
      create(DatasetSummarySchema, { id: 'bh-pop', kind: DatasetKind.SERIES, country: 'BH' }),
      create(DatasetSummarySchema, { id: 'bh-ocds', kind: DatasetKind.CONTRACTS, country: 'BH' }),
    ];
    expect(budgetsOfCountry(all, 'BH').map((d) => d.id)).toEqual(['bh']);
    expect(budgetsOfCountry(all, '')).toEqual([]);
    expect(budgetsOfCountry(all, 'CA')).toEqual([]);
  });
});

describe('translations of the contracts view', () => {
  it('has every Arabic text, in Arabic', () => {
    for (const [k, en] of Object.entries(MESSAGES.en)) {
      const ar = MESSAGES.ar[k as keyof typeof MESSAGES.ar];
      expect(ar, k).toBeTruthy();
      // Placeholders survive translation.
      const vars = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
      expect(vars(ar), k).toEqual(vars(en));
      if (/[a-z]{3}/i.test(en.replace(/\{\w+\}/g, '')) && !/^(JSON|CSV|Parquet|COFOG|SHA-256)/.test(en)) {
        expect(ar, k).toMatch(/[\u0600-\u06ff]/);
      }
    }
  });
});
