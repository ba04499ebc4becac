// Reading the catalog: which dimensions and levels a dataset has, which
// reference series exist, sensible defaults for the views.
import { DatasetKind, DimensionKind, type Dataset, type DatasetSummary, type Dimension } from '../gen/mizan/v1/catalog_pb';
import type { Lang } from './format';
import { pick, term } from './i18n';

export interface LevelRef {
  ref: string;
  dim: Dimension;
  depth: number;
  label: string;
}

/** Classification and attribute dimensions (the ones to break spending down by). */
export function breakdownDims(ds: Dataset): Dimension[] {
  return ds.dimensions.filter(
    (d) =>
      d.levels.length > 0 &&
      (d.kind === DimensionKind.CLASSIFICATION || d.kind === DimensionKind.ATTRIBUTE || d.kind === DimensionKind.UNSPECIFIED),
  );
}

export function functionalDim(ds: Dataset): Dimension | undefined {
  const dims = breakdownDims(ds);
  return dims.find((d) => d.classification.toLowerCase() === 'cofog') ?? dims.find((d) => /func/i.test(d.id));
}

export function adminDim(ds: Dataset): Dimension | undefined {
  const dims = breakdownDims(ds);
  return dims.find((d) => /admin|ministr|org/i.test(d.id)) ?? dims.find((d) => d !== functionalDim(ds));
}

/** The dimension the overview's treemap uses for `by` (falls back to function, then ministry). */
export function overviewDim(ds: Dataset, by: string): Dimension | undefined {
  return breakdownDims(ds).find((d) => d.id === by) ?? functionalDim(ds) ?? adminDim(ds) ?? breakdownDims(ds)[0];
}

export function dimLabel(d: Dimension, lang: Lang): string {
  return pick(d.label, lang) || d.id;
}

/** Every level of every breakdown dimension, plus the fixed ones. */
export function levelRefs(ds: Dataset, lang: Lang, withFixed = true): LevelRef[] {
  const out: LevelRef[] = [];
  for (const d of breakdownDims(ds)) {
    d.levels.forEach((l, depth) => {
      const ll = pick(l.label, lang) || l.id;
      out.push({ ref: l.ref || `${d.id}.${l.id}`, dim: d, depth, label: d.levels.length > 1 ? `${dimLabel(d, lang)} › ${ll}` : dimLabel(d, lang) });
    });
  }
  if (withFixed) {
    for (const f of ['year', 'phase', 'direction']) {
      out.push({ ref: f, dim: { id: f, levels: [], label: {} } as unknown as Dimension, depth: 0, label: term(lang, f) });
    }
  }
  return out;
}

export function refLabel(ds: Dataset, ref: string, lang: Lang): string {
  return levelRefs(ds, lang).find((l) => l.ref === ref)?.label ?? term(lang, ref);
}

function seriesMatching(all: DatasetSummary[], re: RegExp): DatasetSummary | undefined {
  return all.find(
    (d) => d.kind === DatasetKind.SERIES && (re.test(d.id) || Object.values(d.title).some((t) => re.test(t))),
  );
}

/**
 * The population series of the dataset's own country. Another country's
 * population must never divide a budget, so there is no fallback.
 */
export function populationSeries(all: DatasetSummary[], country: string): DatasetSummary | undefined {
  return countrySeries(all, country, /pop|سكان/i);
}

/** The price deflator of the dataset's own country (no fallback either). */
export function deflatorSeries(all: DatasetSummary[], country: string): DatasetSummary | undefined {
  return countrySeries(all, country, /deflat|cpi|price|أسعار|مكمش/i);
}

function countrySeries(all: DatasetSummary[], country: string, re: RegExp): DatasetSummary | undefined {
  if (!country) return undefined;
  return seriesMatching(
    all.filter((d) => d.country === country),
    re,
  );
}

/** Datasets a budget view can show (everything except reference series). */
export function viewableDatasets(all: DatasetSummary[]): DatasetSummary[] {
  return all.filter((d) => d.kind !== DatasetKind.SERIES);
}

/**
 * The dataset the budget views open when the URL names none: the first
 * budget, since contracts and payments have no phases or classifications to
 * show there (they stay selectable); else the first viewable dataset.
 */
export function defaultDataset(viewable: DatasetSummary[]): DatasetSummary | undefined {
  return viewable.find((d) => d.kind === DatasetKind.BUDGET) ?? viewable[0];
}

/** Aggregates to ask for: the sum, and the share when the measure supports it. */
export function sumAndShare(ds: Dataset): string[] {
  const m = ds.measures.find((x) => x.id === 'amount');
  return m && !m.aggregates.includes('share') ? ['amount.sum'] : ['amount.sum', 'amount.share'];
}

export function defaultPhase(phases: string[], preferred: string[] = ['approved', 'executed']): string {
  for (const p of preferred) if (phases.includes(p)) return p;
  return phases[0] ?? '';
}

export function kindKey(k: DatasetKind): 'kindBudget' | 'kindPayments' | 'kindSeries' | 'kindContracts' {
  switch (k) {
    case DatasetKind.PAYMENTS:
      return 'kindPayments';
    case DatasetKind.SERIES:
      return 'kindSeries';
    case DatasetKind.CONTRACTS:
      return 'kindContracts';
    default:
      return 'kindBudget';
  }
}
