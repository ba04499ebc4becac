// The ContractService client (loaded with the Contracts view only) and the
// helpers its pages share: requests built from the URL state, pinning of the
// dataset versions a response names, per-currency sums of exact decimals,
// and labels for codes the API sends.
import { createClient, type Client } from '@connectrpc/connect';
import { createConnectTransport } from '@connectrpc/connect-web';
import type { MessageInitShape } from '@bufbuild/protobuf';
import {
  ContractService,
  RecordKind,
  type DatasetVersion,
  type GetPartyResponse,
  type ListRedFlagsRequestSchema,
  type ListRedFlagsResponse,
  type PartyTotal,
  type RecordSource,
  type RedFlagDefinition,
  type SearchContractsRequestSchema,
  type SearchContractsResponse,
  type GetContractResponse,
  type ListRedFlagDefinitionsResponse,
} from '../gen/mizan/v1/contracts_pb';
import { cached, collectExport, ExportFormat } from './api';
import { addDecimal, cmpDecimal } from './decimal';
import type { Lang } from './format';
import { pick } from './i18n';
import type { ContractsState, DsRef } from './contractsUrl';

export { RecordKind };

const transport = createConnectTransport({
  baseUrl: typeof location !== 'undefined' ? location.origin : 'http://localhost',
  useBinaryFormat: false,
});

export const contractsClient: Client<typeof ContractService> = createClient(ContractService, transport);

export type SearchInit = MessageInitShape<typeof SearchContractsRequestSchema>;
export type FlagsInit = MessageInitShape<typeof ListRedFlagsRequestSchema>;

function keyOf(method: string, req: unknown): string {
  return 'contracts.' + method + JSON.stringify(req, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
}

/** The SearchContracts request the state asks for (page tokens from the URL). */
export function searchRequest(c: ContractsState): SearchInit {
  const kinds = c.kinds.map((k) => (k === 'process' ? RecordKind.PROCESS : RecordKind.PAYMENT));
  return {
    query: c.q.trim(),
    datasets: c.sets.map((d) => ({ id: d.id, version: d.version })),
    buyers: c.buyers,
    suppliers: c.suppliers,
    methods: c.methods,
    currencies: c.currencies,
    minAmount: c.min,
    maxAmount: c.max,
    dateFrom: c.from,
    dateTo: c.to,
    flags: c.flags,
    budgetIds: c.budgets,
    ...(c.competitive ? { competitive: c.competitive === 'yes' } : {}),
    kinds,
    sort: c.sort,
    ascending: c.asc,
    pageSize: c.size,
    pageToken: c.pages[c.pages.length - 1] ?? '',
  };
}

/** Every record of a search (its paging ignored) as one CSV file, through the ExportContracts stream. */
export async function exportSearch(req: SearchInit, signal?: AbortSignal): Promise<{ blob: Blob; filename: string }> {
  return collectExport(contractsClient.exportContracts({ search: { ...req, pageSize: 0, pageToken: '' }, format: ExportFormat.CSV }, { signal }), 'mizan-contracts.csv');
}

/** The ListRedFlags request of the flags page. */
export function flagsRequest(c: ContractsState, ds: DsRef): FlagsInit {
  return {
    dataset: { id: ds.id, version: ds.version },
    codes: c.fcodes,
    buyer: c.fbuyer,
    supplier: c.fsupplier,
    year: c.fyear,
    pageSize: 50,
    pageToken: c.fpages[c.fpages.length - 1] ?? '',
  };
}

/**
 * The datasets a response says it searched, when they pin more than the
 * request did (an empty list, or a version 0); null when the request was
 * already exact. The view writes them into the URL so the address is a
 * permalink of exactly these versions.
 */
export function pinnedSets(asked: DsRef[], searched: { id: string; version: number }[]): DsRef[] | null {
  if (!searched.length) return null;
  const exact = asked.length > 0 && asked.every((a) => a.version > 0);
  if (exact) return null;
  return searched.map((d) => ({ id: d.id, version: d.version }));
}

export function search(req: SearchInit): Promise<SearchContractsResponse> {
  const key = keyOf('Search', req);
  return cached(key, async () => {
    const res = await contractsClient.searchContracts(req);
    // The same search with its datasets pinned is this very answer: remember
    // it, so that writing the pinned versions into the URL costs no request.
    const pinned = pinnedSets((req.datasets ?? []) as DsRef[], res.datasets);
    if (pinned && !req.pageToken) {
      const exact = { ...req, datasets: pinned };
      cached(keyOf('Search', exact), () => Promise.resolve(res));
    }
    return res;
  });
}

export function getContract(ds: DsRef, ocid: string): Promise<GetContractResponse> {
  const req = { dataset: { id: ds.id, version: ds.version }, ocid };
  return cached(keyOf('GetContract', req), () => contractsClient.getContract(req));
}

export function getParty(ds: DsRef, entity: string): Promise<GetPartyResponse> {
  const req = { dataset: { id: ds.id, version: ds.version }, entity };
  return cached(keyOf('GetParty', req), () => contractsClient.getParty(req));
}

export function listRedFlags(req: FlagsInit): Promise<ListRedFlagsResponse> {
  return cached(keyOf('ListRedFlags', req), () => contractsClient.listRedFlags(req));
}

export function redFlagDefinitions(): Promise<ListRedFlagDefinitionsResponse> {
  return cached('contracts.ListRedFlagDefinitions', () => contractsClient.listRedFlagDefinitions({}));
}

/** A dataset version as the URL keeps it. */
export function dsRef(d: DatasetVersion | undefined): DsRef | null {
  return d && d.id ? { id: d.id, version: d.version } : null;
}

/** Sums of exact decimals per currency, currencies in alphabetical order. */
export function sumByCurrency(rows: { currency: string; amount: string }[]): { currency: string; amount: string }[] {
  const by = new Map<string, string[]>();
  for (const r of rows) {
    if (!r.amount) continue;
    const xs = by.get(r.currency) ?? [];
    xs.push(r.amount);
    by.set(r.currency, xs);
  }
  return [...by.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([currency, xs]) => ({ currency, amount: addDecimal(...xs) }));
}

export interface YearTable {
  years: number[];
  currencies: string[];
  /** cell(year, currency): the amount and count, or undefined when none. */
  cell: (year: number, currency: string) => { amount: string; count: bigint } | undefined;
  totals: { currency: string; amount: string; count: bigint }[];
}

/** A party's totals by year pivoted to years × currencies, with exact totals per currency. */
export function yearTable(rows: PartyTotal[]): YearTable {
  const years = [...new Set(rows.map((r) => r.year))].sort((a, b) => a - b);
  const currencies = [...new Set(rows.map((r) => r.currency))].sort();
  const m = new Map<string, PartyTotal>();
  for (const r of rows) m.set(`${r.year}|${r.currency}`, r);
  const totals = currencies.map((currency) => {
    const own = rows.filter((r) => r.currency === currency);
    return {
      currency,
      amount: own.length ? addDecimal(...own.map((r) => r.amount || '0')) : '0',
      count: own.reduce((a, r) => a + r.count, 0n),
    };
  });
  return {
    years,
    currencies,
    cell: (y, c) => {
      const r = m.get(`${y}|${c}`);
      return r ? { amount: r.amount, count: r.count } : undefined;
    },
    totals,
  };
}

/** The currency with the largest total count (the one a chart shows first). */
export function mainCurrency(t: YearTable): string {
  let best = '';
  let n = -1n;
  for (const x of t.totals) if (x.count > n) [best, n] = [x.currency, x.count];
  return best;
}

/** Procurement methods the API names, as i18n keys. */
export type MethodKey = 'methodOpen' | 'methodSelective' | 'methodLimited' | 'methodDirect' | 'methodNone';

export function methodKey(method: string): MethodKey | null {
  switch (method) {
    case 'open':
      return 'methodOpen';
    case 'selective':
      return 'methodSelective';
    case 'limited':
      return 'methodLimited';
    case 'direct':
      return 'methodDirect';
    case '':
      return 'methodNone';
    default:
      return null;
  }
}

/** A red flag's short name in the language asked, from its definition; the code when unknown. */
export function flagTitle(defs: RedFlagDefinition[] | undefined, code: string, lang: Lang): string {
  const d = defs?.find((x) => x.code === code);
  return (d && pick(d.title, lang)) || code;
}

/** "file.json, /releases/3" or "file.csv, row 12": where a record is in its source. */
export function sourceParts(s: RecordSource | undefined): { file: string; sha256: string; where: string; kind: 'pointer' | 'row' | 'none' } {
  if (!s) return { file: '', sha256: '', where: '', kind: 'none' };
  if (s.pointer) return { file: s.file, sha256: s.sha256, where: (s.value > 0n ? `[${s.value}]` : '') + s.pointer, kind: 'pointer' };
  if (s.row > 0n) return { file: s.file, sha256: s.sha256, where: String(s.row), kind: 'row' };
  return { file: s.file, sha256: s.sha256, where: '', kind: 'none' };
}

/** Whether the amount changed by an amendment (both sides known and different). */
export function amendmentChange(before: string | undefined, after: string | undefined): -1 | 0 | 1 | null {
  if (!before || !after) return null;
  return cmpDecimal(after, before) as -1 | 0 | 1;
}

/** The figures of a red flag in a stable order (by name). */
export function sortedFigures(figures: Record<string, string>): [string, string][] {
  return Object.entries(figures).sort(([a], [b]) => a.localeCompare(b));
}

/** A figure's name for people: "tender_days" → "tender days". */
export function figureName(name: string): string {
  return name.replace(/[_.]+/g, ' ').trim();
}

/** Names of the figures red flags report (flags/ rules), in both languages. */
const FIGURES: Record<Lang, Record<string, string>> = {
  en: {
    amendments: "amendments",
    amount: "amount",
    average_other_month: "average of the other months",
    awarded: "awarded",
    buyer_quantile_value: "buyer's quantile value",
    buyer_records: "buyer's records",
    contract_id: "contract id",
    copies: "copies",
    dataset_share_pct: "share of the dataset (%)",
    dataset_start: "dataset starts",
    date: "date",
    estimate: "estimate",
    excess: "excess",
    excess_pct: "excess (%)",
    final_amount: "final amount",
    first_date: "first date",
    fiscal_year: "fiscal year",
    fiscal_year_end_month: "fiscal year's last month",
    floor: "floor",
    hhi: "HHI",
    increase: "increase",
    increase_pct: "increase (%)",
    initial_amount: "initial amount",
    last_date: "last date",
    last_month: "last month",
    last_month_amount: "last month's amount",
    min_amount: "minimum amount",
    min_processes: "minimum processes",
    noncompetitive_awards: "non-competitive awards",
    noncompetitive_processes: "non-competitive processes",
    noncompetitive_value: "non-competitive value",
    payments: "payments",
    processes: "processes",
    quantile: "quantile",
    ratio: "ratio",
    records: "records",
    round_payments: "round payments",
    share: "share",
    share_pct: "share (%)",
    span_days: "span (days)",
    suppliers: "suppliers",
    threshold: "threshold",
    threshold_hhi: "HHI threshold",
    threshold_pct: "threshold (%)",
    threshold_ratio: "ratio threshold",
    threshold_share: "share threshold",
    top_supplier_share_pct: "top supplier's share (%)",
    top_supplier_value: "top supplier's value",
    total: "total",
    total_value: "total value",
    transactions: "transactions",
    unit: "unit",
    window_days: "window (days)",
    z: "z-score",
  },
  ar: {
    amendments: "التعديلات",
    amount: "المبلغ",
    average_other_month: "متوسط الأشهر الأخرى",
    awarded: "المرسّى",
    buyer_quantile_value: "قيمة الشريحة لدى الجهة المشترية",
    buyer_records: "سجلات الجهة المشترية",
    contract_id: "معرّف العقد",
    copies: "النسخ",
    dataset_share_pct: "الحصة من مجموعة البيانات (٪)",
    dataset_start: "بداية مجموعة البيانات",
    date: "التاريخ",
    estimate: "التقدير",
    excess: "الزيادة",
    excess_pct: "الزيادة (٪)",
    final_amount: "المبلغ النهائي",
    first_date: "أول تاريخ",
    fiscal_year: "السنة المالية",
    fiscal_year_end_month: "الشهر الأخير من السنة المالية",
    floor: "الحد الأدنى",
    hhi: "مؤشر هيرفندال (HHI)",
    increase: "الزيادة",
    increase_pct: "الزيادة (٪)",
    initial_amount: "المبلغ الأولي",
    last_date: "آخر تاريخ",
    last_month: "الشهر الأخير",
    last_month_amount: "مبلغ الشهر الأخير",
    min_amount: "أدنى مبلغ",
    min_processes: "أدنى عدد من الإجراءات",
    noncompetitive_awards: "الترسيات غير التنافسية",
    noncompetitive_processes: "الإجراءات غير التنافسية",
    noncompetitive_value: "القيمة غير التنافسية",
    payments: "المدفوعات",
    processes: "الإجراءات",
    quantile: "الشريحة",
    ratio: "النسبة",
    records: "السجلات",
    round_payments: "الدفعات المدوّرة",
    share: "الحصة",
    share_pct: "الحصة (٪)",
    span_days: "المدة (أيام)",
    suppliers: "المورّدون",
    threshold: "الحد",
    threshold_hhi: "حد مؤشر HHI",
    threshold_pct: "الحد (٪)",
    threshold_ratio: "حد النسبة",
    threshold_share: "حد الحصة",
    top_supplier_share_pct: "حصة أكبر مورّد (٪)",
    top_supplier_value: "قيمة أكبر مورّد",
    total: "الإجمالي",
    total_value: "القيمة الإجمالية",
    transactions: "المعاملات",
    unit: "الوحدة",
    window_days: "النافذة (أيام)",
    z: "الدرجة المعيارية (z)",
  },
};

/** A figure's name in the language asked; unknown names made readable. */
export function figureLabel(name: string, lang: Lang): string {
  return FIGURES[lang][name] ?? figureName(name);
}

/** Pretty-prints the compiled release; the text as is when it is not JSON. */
export function prettyJson(s: string): string {
  if (!s) return '';
  try {
    return JSON.stringify(JSON.parse(s), null, 2);
  } catch {
    return s;
  }
}
