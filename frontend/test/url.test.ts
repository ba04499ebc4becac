import { describe, expect, it } from 'vitest';
import { DEFAULT_STATE, decodeList, decodeState, encodeList, encodeState, type AppState } from '../src/lib/url';

function roundTrip(s: AppState): AppState {
  const url = new URL(encodeState(s), 'http://x');
  return decodeState(url.pathname, url.search);
}

describe('URL state', () => {
  it('round-trips the defaults', () => {
    expect(roundTrip(DEFAULT_STATE)).toEqual(DEFAULT_STATE);
    expect(encodeState(DEFAULT_STATE)).toBe('/?lang=ar');
  });
  it('round-trips a full state with awkward keys', () => {
    const s: AppState = {
      view: 'explore',
      lang: 'en',
      digits: 'arab',
      embed: true,
      dataset: 'bh-budget',
      version: 3,
      year: 2024,
      phase: 'executed',
      direction: 'revenue',
      by: 'functional',
      path: ['01', '01.1', 'a,b:c/d?&=%'],
      drill: ['admin.ministry', 'functional.division'],
      cuts: [
        { dim: 'year', values: ['2023', '2024'] },
        { dim: 'admin.ministry', values: ['وزارة الصحة', 'x,y'] },
      ],
      sort: '-amount.sum',
      chart: 'sankey',
      ref: 'economic.item',
      threshold: '0.75',
      prices: 'constant',
      tab: 'bh-budget',
    };
    expect(roundTrip(s)).toEqual(s);
  });
  it('puts the view in the path', () => {
    for (const view of ['overview', 'explore', 'execution', 'trends', 'contracts', 'data'] as const) {
      const url = new URL(encodeState({ ...DEFAULT_STATE, view }), 'http://x');
      expect(url.pathname).toBe(view === 'overview' ? '/' : `/${view}`);
      expect(roundTrip({ ...DEFAULT_STATE, view }).view).toBe(view);
    }
  });
  it('falls back on junk', () => {
    const s = decodeState('/nowhere/else', '?v=abc&y=-1&chart=pie&lang=fr&th=lots&cut=nocolon');
    expect(s).toEqual({ ...DEFAULT_STATE });
  });
  it('encodes lists without ambiguity', () => {
    const xs = ['', 'a,b', '%2C', 'ع'];
    expect(decodeList(encodeList(xs))).toEqual(xs);
  });
});
