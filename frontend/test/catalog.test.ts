import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { DatasetKind, DatasetSummarySchema } from '../src/gen/mizan/v1/catalog_pb';
import { defaultDataset, deflatorSeries, populationSeries } from '../src/lib/catalog';

const series = (id: string, country: string, en: string) =>
  create(DatasetSummarySchema, { id, country, kind: DatasetKind.SERIES, title: { en } });

describe('reference series', () => {
  const all = [
    series('demo-budget-population', 'ZZ', 'Population of the demo state'),
    series('demo-budget-cpi', 'ZZ', 'Consumer price index'),
    series('bh-population', 'BH', 'Population of Bahrain'),
  ];
  it('uses only the dataset’s own country', () => {
    expect(populationSeries(all, 'BH')?.id).toBe('bh-population');
    expect(populationSeries(all, 'ZZ')?.id).toBe('demo-budget-population');
    expect(deflatorSeries(all, 'ZZ')?.id).toBe('demo-budget-cpi');
  });
  it('never borrows another country’s population or prices', () => {
    expect(populationSeries(all, 'MX')).toBeUndefined();
    expect(deflatorSeries(all, 'BH')).toBeUndefined();
    expect(populationSeries(all, '')).toBeUndefined();
  });
});

describe('defaultDataset', () => {
  const ds = (id: string, kind: DatasetKind) => create(DatasetSummarySchema, { id, kind });
  it('prefers the first budget over contracts and payments listed before it', () => {
    const list = [ds('canada-contracts', DatasetKind.CONTRACTS), ds('manchester', DatasetKind.PAYMENTS), ds('bahrain', DatasetKind.BUDGET), ds('demo', DatasetKind.BUDGET)];
    expect(defaultDataset(list)?.id).toBe('bahrain');
  });
  it('falls back to the first dataset when there is no budget', () => {
    expect(defaultDataset([ds('manchester', DatasetKind.PAYMENTS), ds('canada', DatasetKind.CONTRACTS)])?.id).toBe('manchester');
    expect(defaultDataset([])).toBeUndefined();
  });
});
