// Best-effort links from a contract's planning.budget ids to the budget
// lines of a loaded budget dataset. Only budgets of the contract dataset's
// own country are tried (another country's line with the same code is not
// the same line). For each of them (at most three), every level of every
// classification dimension is searched for a member whose key is exactly
// the published budget id; each hit becomes an Explore link cut to it.
// The other way, from budget lines to contracts: citingDatasets and
// budgetRef say which contracts and which drilled level Explore asks about.
import { DatasetKind, type DatasetSummary } from '../gen/mizan/v1/catalog_pb';
import { getDataset, listMembers } from './api';
import { levelRefs } from './catalog';
import type { Lang } from './format';
import { pick } from './i18n';

export interface BudgetMatch {
  dataset: string;
  version: number;
  title: string;
  years: number[];
  ref: string; // "dimension.level"
  key: string;
  label: string;
}

export interface BudgetMatches {
  /** Budget datasets searched (same country). */
  searched: string[];
  /** Matches by budget id. */
  matches: Map<string, BudgetMatch[]>;
}

/** The budget datasets a contract of this country may link to. */
export function budgetsOfCountry(all: DatasetSummary[], country: string): DatasetSummary[] {
  if (!country) return [];
  return all.filter((d) => d.kind === DatasetKind.BUDGET && d.country === country).slice(0, 3);
}

export async function matchBudgetLinks(all: DatasetSummary[], country: string, ids: string[], lang: Lang): Promise<BudgetMatches> {
  const budgets = budgetsOfCountry(all, country);
  const matches = new Map<string, BudgetMatch[]>();
  const wanted = [...new Set(ids.filter(Boolean))].slice(0, 20);
  for (const b of budgets) {
    const ds = await getDataset(b.id, 0);
    const version = ds.version?.number ?? 0;
    const refs = levelRefs(ds, lang, false);
    const found = await Promise.all(
      wanted.flatMap((id) =>
        refs.map(async (r) => {
          try {
            const res = await listMembers({ dataset: ds.id, version, dimension: r.ref, search: id, lang, pageSize: 20 });
            const m = res.members.find((x) => x.key === id);
            return m ? { id, match: { dataset: ds.id, version, title: pick(ds.title, lang) || ds.id, years: ds.years, ref: r.ref, key: m.key, label: m.label } } : null;
          } catch {
            return null; // a level that cannot be searched is simply not matched
          }
        }),
      ),
    );
    for (const f of found) {
      if (!f) continue;
      const xs = matches.get(f.id) ?? [];
      xs.push(f.match);
      matches.set(f.id, xs);
    }
  }
  return { searched: budgets.map((b) => b.id), matches };
}

/** Contracts datasets of the budget's own country: the ones whose processes may cite its lines. */
export function citingDatasets(all: DatasetSummary[], country: string): DatasetSummary[] {
  return country ? all.filter((d) => d.kind === DatasetKind.CONTRACTS && d.country === country) : [];
}

/**
 * The drilled level whose keys contracts may cite as budget lines: the
 * finest level in the drilldown of a classification that is the
 * publisher's own. COFOG codes ("01", "07.3") are international and short,
 * so a contract citing its ministry "01" must not be counted beside COFOG
 * division 01.
 */
export function budgetRef(drill: string[], cofog: string): string {
  return [...drill].reverse().find((r) => !['year', 'phase', 'direction'].includes(r) && r.split('.')[0] !== cofog) ?? '';
}
