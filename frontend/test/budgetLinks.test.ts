import { describe, expect, it } from 'vitest';
import { create } from '@bufbuild/protobuf';
import { DatasetKind, DatasetSummarySchema } from '../src/gen/mizan/v1/catalog_pb';
import { budgetRef, citingDatasets } from '../src/lib/budgetLinks';

describe('budget lines to contracts', () => {
  it('asks about the finest drilled level of the publisher’s own classifications', () => {
    expect(budgetRef(['admin.ministry', 'admin.unit'], 'functional')).toBe('admin.unit');
    expect(budgetRef(['admin.unit', 'year'], 'functional')).toBe('admin.unit');
    expect(budgetRef(['programme', 'functional.group'], 'functional')).toBe('programme');
    expect(budgetRef(['functional.division'], 'functional')).toBe('');
    expect(budgetRef(['functional'], '')).toBe('functional');
    expect(budgetRef(['year', 'phase', 'direction'], '')).toBe('');
  });

  it('counts only contracts datasets of the same country', () => {
    const ds = (id: string, kind: DatasetKind, country: string) => create(DatasetSummarySchema, { id, kind, country });
    const all = [
      ds('zz-contracts', DatasetKind.CONTRACTS, 'ZZ'),
      ds('zz-payments', DatasetKind.PAYMENTS, 'ZZ'),
      ds('ca-contracts', DatasetKind.CONTRACTS, 'CA'),
      ds('zz-budget', DatasetKind.BUDGET, 'ZZ'),
      ds('no-country', DatasetKind.CONTRACTS, ''),
    ];
    expect(citingDatasets(all, 'ZZ').map((d) => d.id)).toEqual(['zz-contracts']);
    expect(citingDatasets(all, '')).toEqual([]);
  });
});
