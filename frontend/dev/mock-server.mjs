// A throwaway Connect (JSON) stand-in for `mizan serve`, for developing the
// dashboard and its e2e tests before the real server runs. It serves a tiny
// generated dataset marked synthetic, implements just enough of the
// mizan.v1 API (unary JSON + the Export server stream), and serves dist/.
// Never used by CI against real data: the e2e runs against MIZAN_URL.
//
//   node dev/mock-server.mjs [port]
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, '..', 'dist');
const port = Number(process.argv[2] || process.env.PORT || 8089);

// ---- the demo data -------------------------------------------------------
let seed = 42;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const SCALE = 3;
const fmt = (v) => {
  const neg = v < 0n;
  let d = (neg ? -v : v).toString().padStart(SCALE + 1, '0');
  return (neg ? '-' : '') + d.slice(0, -SCALE) + '.' + d.slice(-SCALE);
};
const COFOG = {
  '01': ['General public services', 'الخدمات العامة'],
  '02': ['Defence', 'الدفاع'],
  '07': ['Health', 'الصحة'],
  '09': ['Education', 'التعليم'],
  '10': ['Social protection', 'الحماية الاجتماعية'],
};
const MIN = {
  M01: ['Ministry of Finance', 'وزارة المالية'],
  M02: ['Ministry of Health', 'وزارة الصحة'],
  M03: ['Ministry of Education', 'وزارة التربية والتعليم'],
  M04: ['Ministry of Defence', 'وزارة الدفاع'],
};
const labels = {};
const addLabel = (ref, key, en, ar) => ((labels[ref] ??= {})[key] = { en, ar });
for (const [k, [en, ar]] of Object.entries(COFOG)) {
  addLabel('functional.division', k, en, ar);
  for (let g = 1; g <= 3; g++) {
    const gk = `${k}.${g}`;
    addLabel('functional.group', gk, `${en} – group ${g}`, `${ar} – المجموعة ${g}`);
    for (let c = 1; c <= 2; c++) addLabel('functional.class', `${gk}.${c}`, `${en} – class ${g}.${c}`, `${ar} – الفئة ${g}.${c}`);
  }
}
for (const [k, [en, ar]] of Object.entries(MIN)) {
  addLabel('admin.ministry', k, en, ar);
  for (let p = 1; p <= 2; p++) addLabel('admin.programme', `${k}-P${p}`, `${en} programme ${p}`, `${ar} البرنامج ${p}`);
}
const YEARS = [2021, 2022, 2023, 2024];
const facts = [];
let row = 0;
for (const year of YEARS) {
  for (const cls of Object.keys(labels['functional.class'])) {
    const [div, g] = cls.split('.');
    const ministry = { '01': 'M01', '02': 'M04', '07': 'M02', '09': 'M03', '10': 'M01' }[div];
    const prog = `${ministry}-P${(Number(g) % 2) + 1}`;
    const approved = BigInt(Math.round(rnd() * 90_000_000 + 5_000_000)) * 1000n + BigInt(Math.floor(rnd() * 1000));
    const revised = (approved * BigInt(Math.round(90 + rnd() * 20))) / 100n;
    const executed = (revised * BigInt(Math.round(60 + rnd() * 50))) / 100n;
    for (const [phase, amount] of [['approved', approved], ['revised', revised], ['executed', executed]]) {
      facts.push({
        row: ++row,
        amount,
        keys: { year: String(year), phase, direction: 'expenditure', currency: 'BHD', 'functional.division': div, 'functional.group': `${div}.${g}`, 'functional.class': cls, 'admin.ministry': ministry, 'admin.programme': prog },
      });
    }
  }
  for (const [k, base] of [['R1', 2_000_000_000n], ['R2', 450_000_000n]]) {
    for (const phase of ['approved', 'revised', 'executed']) {
      facts.push({ row: ++row, amount: base * 1000n + BigInt(year - 2000) * 1234567n, keys: { year: String(year), phase, direction: 'revenue', currency: 'BHD', 'functional.division': '', 'functional.group': '', 'functional.class': '', 'admin.ministry': 'M01', 'admin.programme': `M01-${k}` } });
    }
  }
}
addLabel('admin.programme', 'M01-R1', 'Oil and gas revenue', 'إيرادات النفط والغاز');
addLabel('admin.programme', 'M01-R2', 'Non-oil revenue', 'الإيرادات غير النفطية');
const POP = { 2021: '1504365', 2022: '1524693', 2023: '1577059', 2024: '1594654' };

const text = (en, ar) => ({ en, ar });
const level = (dim, id, en, ar) => ({ id, ref: `${dim}.${id}`, label: text(en, ar), memberCount: String(Object.keys(labels[`${dim}.${id}`]).length) });
const DATASET = {
  id: 'demo-bh', kind: 'DATASET_KIND_BUDGET', title: text('Demo budget (Bahrain-like)', 'موازنة تجريبية (على غرار البحرين)'),
  description: text('Generated demo data', 'بيانات تجريبية مولدة'), publisher: text('Mizan demo', 'عرض ميزان'),
  country: 'BH', currency: 'BHD', language: 'en', licence: { name: 'CC0-1.0', url: 'https://creativecommons.org/publicdomain/zero/1.0/' },
  homepage: '', synthetic: true,
  version: { number: 2, status: 'VERSION_STATUS_PUBLISHED', createdAt: '2026-11-20T10:00:00Z', contentHash: 'ab'.repeat(32), rows: String(facts.length), rowsRead: String(facts.length + 2), rejected: '2', scale: 3, factor: '1' },
  dimensions: [
    { id: 'functional', kind: 'DIMENSION_KIND_CLASSIFICATION', label: text('Function', 'الوظيفة'), classification: 'cofog', levels: [level('functional', 'division', 'Division', 'القسم'), level('functional', 'group', 'Group', 'المجموعة'), level('functional', 'class', 'Class', 'الفئة')] },
    { id: 'admin', kind: 'DIMENSION_KIND_CLASSIFICATION', label: text('Administrative', 'التصنيف الإداري'), classification: '', levels: [level('admin', 'ministry', 'Ministry', 'الوزارة'), level('admin', 'programme', 'Programme', 'البرنامج')] },
  ],
  measures: [{ id: 'amount', label: text('Amount', 'المبلغ'), aggregates: ['sum', 'count', 'share'], currency: 'BHD' }],
  years: YEARS, phases: ['approved', 'revised', 'executed'], directions: ['expenditure', 'revenue'], currencies: ['BHD'],
  sources: [{ id: 1, name: 'demo.csv', sheet: '', sha256: 'cd'.repeat(32), url: '', bytes: '123456', rows: String(facts.length + 2) }],
};
DATASET.versions = [{ ...DATASET.version, number: 1 }, DATASET.version];
const POPDS = { id: 'demo-bh-population', kind: 'DATASET_KIND_SERIES', title: text('Population (demo)', 'السكان (تجريبي)'), country: 'BH', currency: '', synthetic: true, latestVersion: 1, rowCount: '4', years: YEARS, phases: [], directions: [], publisher: text('Mizan demo', 'عرض ميزان') };

// ---- the mini engine -----------------------------------------------------
const matches = (f, cuts = []) =>
  cuts.every((c) => {
    const v = f.keys[c.dimension] ?? '';
    let ok = (c.values?.length ? c.values.includes(v) : true) && (!c.from || v >= c.from) && (!c.to || v <= c.to);
    return c.negate ? !ok : ok;
  });
const label = (ref, key, lang) => labels[ref]?.[key]?.[lang] ?? key;
function group(req) {
  const drill = req.drilldown ?? [];
  const rows = facts.filter((f) => matches(f, req.cuts));
  const groups = new Map();
  for (const f of rows) {
    const k = drill.map((d) => f.keys[d]).join('\u0000');
    const g = groups.get(k) ?? { keys: Object.fromEntries(drill.map((d) => [d, f.keys[d]])), sum: 0n, count: 0, byPhase: {} };
    g.sum += f.amount;
    g.count++;
    g.byPhase[f.keys.phase] = (g.byPhase[f.keys.phase] ?? 0n) + f.amount;
    groups.set(k, g);
  }
  return { groups: [...groups.values()], total: rows.reduce((a, f) => a + f.amount, 0n), count: rows.length };
}
const share = (a, total) => (total === 0n ? '' : (Number((a * 1000000n) / total) / 1e6).toFixed(6));
function aggregate(req) {
  const { groups, total, count } = group(req);
  const lang = req.lang || 'en';
  const aggs = req.aggregates?.length ? req.aggregates : ['amount.sum'];
  const values = (sum, n) => Object.fromEntries(aggs.map((a) => [a, a === 'amount.sum' ? fmt(sum) : a === 'amount.count' ? String(n) : share(sum, total)]));
  let cells = groups.map((g) => ({ keys: g.keys, labels: Object.fromEntries(Object.entries(g.keys).map(([r, k]) => [r, label(r, k, lang)])), values: values(g.sum, g.count), currency: 'BHD', _sum: g.sum }));
  const ord = req.order?.[0];
  cells.sort((a, b) => {
    if (ord && ord.ref.startsWith('amount')) return (a._sum < b._sum ? -1 : a._sum > b._sum ? 1 : 0) * (ord.desc ? -1 : 1);
    const r = ord?.ref ?? (req.drilldown ?? [])[0];
    return String(a.keys[r]).localeCompare(String(b.keys[r])) * (ord?.desc ? -1 : 1);
  });
  let applied = [];
  if (req.normalization?.perCapita) {
    const y = (req.cuts ?? []).find((c) => c.dimension === 'year')?.values?.[0];
    const pop = BigInt(POP[y] ?? '1');
    for (const c of cells) c.values['amount.sum'] = fmt(c._sum / pop);
    applied.push({ kind: 'per_capita', dataset: POPDS.id, version: 1, year: Number(y), value: POP[y] });
  }
  const start = Number(req.pageToken || 0);
  const size = req.pageSize || 100;
  const page = cells.slice(start, start + size).map(({ _sum, ...c }) => c);
  return {
    cells: page, summary: { keys: {}, labels: {}, values: values(total, count), currency: 'BHD' },
    totalCellCount: String(cells.length), nextPageToken: start + size < cells.length ? String(start + size) : '',
    dataset: DATASET.id, datasetVersion: 2, currency: 'BHD', applied,
  };
}
function execution(req) {
  const cuts = (req.cuts ?? []).filter((c) => c.dimension !== 'phase');
  const { groups } = group({ ...req, cuts });
  const lang = req.lang || 'en';
  const low = Number(req.lowThreshold || '0.5');
  const mk = (g) => {
    const base = g.byPhase.revised ?? g.byPhase.approved ?? 0n;
    const ex = g.byPhase.executed ?? 0n;
    const rate = base ? (Number((ex * 1000000n) / base) / 1e6).toFixed(6) : '';
    return { keys: g.keys, labels: Object.fromEntries(Object.entries(g.keys).map(([r, k]) => [r, label(r, k, lang)])), approved: fmt(g.byPhase.approved ?? 0n), revised: g.byPhase.revised !== undefined ? fmt(g.byPhase.revised) : '', executed: fmt(ex), rate, rateBase: g.byPhase.revised !== undefined ? 'revised' : 'approved', variance: fmt(ex - base), over: rate !== '' && Number(rate) > 1, under: rate !== '' && Number(rate) < low, currency: 'BHD' };
  };
  const rows = groups.map(mk);
  const all = { byPhase: {}, keys: {} };
  for (const g of groups) for (const [p, v] of Object.entries(g.byPhase)) all.byPhase[p] = (all.byPhase[p] ?? 0n) + v;
  const ord = req.order?.[0];
  if (ord) rows.sort((a, b) => (Number(a[ord.ref] ?? a.keys[ord.ref]) - Number(b[ord.ref] ?? b.keys[ord.ref])) * (ord.desc ? -1 : 1));
  return { rows, summary: mk(all), totalRowCount: String(rows.length), nextPageToken: '', dataset: DATASET.id, datasetVersion: 2, currency: 'BHD' };
}
function factsRpc(req) {
  const lang = req.lang || 'en';
  const rows = facts.filter((f) => matches(f, req.cuts));
  const size = req.pageSize || 100;
  return {
    facts: rows.slice(0, size).map((f) => ({ row: String(f.row), keys: f.keys, labels: Object.fromEntries(Object.entries(f.keys).map(([r, k]) => [r, label(r, k, lang)])), amount: fmt(f.amount), currency: 'BHD', provenance: { sourceId: 1, file: 'demo.csv', sha256: 'cd'.repeat(32), sheet: '', row: String(f.row + 1) } })),
    totalCount: String(rows.length), nextPageToken: '', dataset: DATASET.id, datasetVersion: 2,
  };
}
function members(req) {
  const ref = req.dimension.includes('.') ? req.dimension : DATASET.dimensions.find((d) => d.id === req.dimension)?.levels[0].ref;
  const lang = req.lang || 'en';
  let ms = Object.entries(labels[ref] ?? {}).map(([key, l]) => ({ key, parent: '', label: l[lang], labels: l, childCount: '0' }));
  if (ref === 'year') ms = YEARS.map((y) => ({ key: String(y), label: String(y), labels: {} }));
  if (req.search) ms = ms.filter((m) => (m.key + m.label).toLowerCase().includes(req.search.toLowerCase()));
  return { members: ms, nextPageToken: '', totalCount: String(ms.length), datasetVersion: 2 };
}
const UNARY = {
  'mizan.v1.CatalogService/ListDatasets': () => ({ datasets: [{ id: DATASET.id, title: DATASET.title, kind: DATASET.kind, country: 'BH', currency: 'BHD', synthetic: true, latestVersion: 2, rowCount: String(facts.length), years: YEARS, phases: DATASET.phases, directions: DATASET.directions, publisher: DATASET.publisher }, POPDS] }),
  'mizan.v1.CatalogService/GetDataset': (r) => (r.dataset === DATASET.id ? { dataset: { ...DATASET, version: DATASET.versions.find((v) => v.number === (r.version || 2)) ?? DATASET.version } } : null),
  'mizan.v1.CatalogService/ListMembers': members,
  'mizan.v1.CatalogService/GetIngestReport': () => ({ dataset: DATASET.id, datasetVersion: 2, summary: { reader: 'csv', encoding: 'utf-8' }, rowsRead: String(facts.length + 2), rows: String(facts.length), rejectedCount: '2', rejects: [{ file: 'demo.csv', row: '17', column: 'amount', raw: '12,3x', reason: 'not a number' }, { file: 'demo.csv', row: '99', column: 'year', raw: '20x4', reason: 'not a year' }], nextPageToken: '', reconciliation: [{ file: 'demo.csv', row: '300', scope: 'Total expenditure 2024 approved', published: '123.000', computed: '123.000', matches: true }] }),
  'mizan.v1.QueryService/Aggregate': aggregate,
  'mizan.v1.QueryService/Execution': execution,
  'mizan.v1.QueryService/Facts': factsRpc,
};
function csvOf(req) {
  const r = aggregate({ ...req, pageSize: 100000, pageToken: '' });
  const drill = req.drilldown ?? [];
  const aggs = req.aggregates?.length ? req.aggregates : ['amount.sum'];
  const head = [...drill.flatMap((d) => [d, `${d}.label`]), ...aggs, 'currency'];
  const q = (s) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return [head.join(','), ...r.cells.map((c) => [...drill.flatMap((d) => [c.keys[d], c.labels[d]]), ...aggs.map((a) => c.values[a]), c.currency].map(q).join(','))].join('\n') + '\n';
}
const envelope = (flags, obj) => {
  const body = Buffer.from(JSON.stringify(obj));
  const h = Buffer.alloc(5);
  h[0] = flags;
  h.writeUInt32BE(body.length, 1);
  return Buffer.concat([h, body]);
};

createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  const name = url.pathname.slice(1);
  if (name.startsWith('mizan.v1.')) {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const raw = Buffer.concat(chunks);
    if (name === 'mizan.v1.QueryService/Export') {
      const body = JSON.parse(raw.subarray(5).toString() || '{}');
      const csv = Buffer.from(csvOf(body.aggregate ?? {}));
      res.writeHead(200, { 'content-type': 'application/connect+json' });
      res.write(envelope(0, { header: { contentType: 'text/csv', filename: `${DATASET.id}-v2-aggregate.csv`, dataset: DATASET.id, datasetVersion: 2 } }));
      for (let i = 0; i < csv.length; i += 200) res.write(envelope(0, { data: csv.subarray(i, i + 200).toString('base64') }));
      res.end(envelope(2, {}));
      return;
    }
    const fn = UNARY[name];
    const out = fn ? fn(JSON.parse(raw.toString() || '{}')) : null;
    res.writeHead(out ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(out ?? { code: 'not_found', message: `${name}: not found` }));
    return;
  }
  let file = join(dist, url.pathname);
  let data = await readFile(file).catch(() => null);
  if (!data || url.pathname === '/' || !extname(url.pathname)) {
    file = join(dist, 'index.html');
    data = await readFile(file).catch(() => Buffer.from('run npm run build'));
  }
  const type = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css' }[extname(file)] ?? 'application/octet-stream';
  res.writeHead(200, { 'content-type': type });
  res.end(data);
}).listen(port, '127.0.0.1', () => console.log(`mock mizan on http://127.0.0.1:${port}`));
