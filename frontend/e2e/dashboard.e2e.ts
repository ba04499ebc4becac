// The dashboard end to end: headless Chromium against a real `mizan serve`
// (MIZAN_URL), checking what a person sees against what the API says.
// Screenshots of every view in both languages go to test-results/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { openSession, type Session } from './browser';
import { parseCsv } from './csv';
import { formatMoney, type Lang } from '../src/lib/format';
import { addDecimal, cmpDecimal } from '../src/lib/decimal';

const here = dirname(fileURLToPath(import.meta.url));
const OUT = join(here, '..', 'test-results');
const BASE = (process.env.MIZAN_URL || '').replace(/\/$/, '');
if (!BASE) throw new Error('MIZAN_URL is not set: start `mizan serve` and export MIZAN_URL=http://127.0.0.1:PORT');
mkdirSync(OUT, { recursive: true });

/** Calls the API the way curl does: JSON over HTTP. */
async function api<T = any>(method: string, body: unknown): Promise<T> {
  const res = await fetch(`${BASE}/mizan.v1.${method}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method}: HTTP ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

function stateOf(page: Page) {
  const u = new URL(page.url());
  const q = u.searchParams;
  return {
    view: u.pathname.replace(/^\//, '') || 'overview',
    ds: q.get('ds') ?? '',
    v: Number(q.get('v') ?? 0),
    y: Number(q.get('y') ?? 0),
    ph: q.get('ph') ?? '',
    by: q.get('by') ?? '',
    path: (q.get('path') ?? '').split(',').filter(Boolean).map(decodeURIComponent),
    lang: (q.get('lang') ?? 'en') as Lang,
    nu: q.get('nu') ?? 'latn',
  };
}

async function waitChart(page: Page, testid: string) {
  await page.waitForSelector(`[data-testid="${testid}"][data-rendered="1"]`, { timeout: 60_000 });
}

async function shot(page: Page, name: string) {
  await page.waitForTimeout(400); // let chart animations settle
  await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
}

let s: Session;
let catalog: any[] = [];
let dataset: any;
const report: string[] = [];

beforeAll(async () => {
  catalog = (await api('CatalogService/ListDatasets', {})).datasets ?? [];
  s = await openSession();
});

afterAll(async () => {
  await s?.close();
  for (const line of report) console.log(line);
});

describe('dashboard', () => {
  it('loads the overview with totals from the API, and measures the first chart', async () => {
    const jsBytes: { url: string; gz: number }[] = [];
    const onResponse = async (res: any) => {
      const url: string = res.url();
      if (!url.startsWith(BASE) || !/\.m?js(\?|$)/.test(url)) return;
      try {
        jsBytes.push({ url, gz: gzipSync(await res.body()).length });
      } catch {
        /* redirects have no body */
      }
    };
    s.page.on('response', onResponse);
    // MIZAN_E2E_DATASET picks the dataset to open (scripts/e2e.sh uses a real
    // one with a three-level hierarchy); otherwise the dashboard's default.
    const ds = process.env.MIZAN_E2E_DATASET;
    await s.page.goto(`${BASE}/?lang=en${ds ? `&ds=${encodeURIComponent(ds)}` : ''}`);
    await waitChart(s.page, 'treemap');
    const firstChart = await s.page.evaluate(() => window.__mizanFirstChart ?? -1);
    await s.page.waitForLoadState('networkidle');
    s.page.off('response', onResponse);
    const firstViewKB = jsBytes.reduce((a, b) => a + b.gz, 0) / 1024;
    const distDir = join(here, '..', 'dist', 'assets');
    const allKB = existsSync(distDir)
      ? readdirSync(distDir)
          .filter((f) => f.endsWith('.js'))
          .reduce((a, f) => a + gzipSync(readFileSync(join(distDir, f))).length, 0) / 1024
      : NaN;
    report.push(
      `e2e: time to first chart drawn: ${Math.round(firstChart)} ms after navigation start`,
      `e2e: first-view JS: ${firstViewKB.toFixed(1)} KB gzipped in ${jsBytes.length} file(s); all JS in dist: ${allKB.toFixed(1)} KB gzipped`,
    );
    expect(firstChart).toBeGreaterThan(0);
    expect(firstViewKB).toBeLessThan(400);

    // The URL pins dataset, version, year and phase (a permalink).
    const st = stateOf(s.page);
    expect(st.ds).not.toBe('');
    expect(st.v).toBeGreaterThan(0);
    expect(st.y).toBeGreaterThan(0);
    dataset = (await api('CatalogService/GetDataset', { dataset: st.ds, version: st.v })).dataset;

    // Headline expenditure equals the API's, exactly and as formatted.
    const head = await api('QueryService/Aggregate', {
      dataset: st.ds,
      version: st.v,
      drilldown: ['direction'],
      cuts: [
        { dimension: 'year', values: [String(st.y)] },
        { dimension: 'phase', values: [st.ph] },
      ],
    });
    const exp = head.cells.find((c: any) => c.keys.direction === 'expenditure');
    if (exp) {
      const el = s.page.locator('[data-testid="total-expenditure"] .card-exact .money');
      await expect.poll(() => el.getAttribute('data-value')).toBe(exp.values['amount.sum']);
      const text = (await el.innerText()).replace(/\u00a0/g, ' ');
      expect(text).toBe(formatMoney(exp.values['amount.sum'], head.currency || dataset.currency, { lang: 'en', digits: 'latn' }).replace(/\u00a0/g, ' '));
    }
    if (dataset.synthetic) await expect.poll(() => s.page.locator('[data-testid="synthetic-badge"]').count()).toBeGreaterThan(0);
    await shot(s.page, 'overview-en');
  });

  it('marks labels shown in another language than the page’s with their own (WCAG 3.1.2)', async () => {
    // A dimension whose members the API labels in another language than
    // English (Mexico's ministries have Spanish names only).
    let found: { ref: string; langs: Set<string> } | null = null;
    for (const d of dataset.dimensions ?? []) {
      const ref = d.levels?.[0]?.ref;
      if (!ref) continue;
      const res = await api('QueryService/Aggregate', { dataset: dataset.id, drilldown: [ref], lang: 'en', pageSize: 50 });
      const langs = new Set<string>((res.cells ?? []).flatMap((c: any) => Object.values(c.labelLangs ?? {}) as string[]));
      if (langs.size) {
        found = { ref, langs };
        break;
      }
    }
    if (!found) {
      report.push(`e2e: ${dataset.id} has English labels everywhere; nothing to mark`);
      return;
    }
    const back = s.page.url(); // the tests after this one go on from the overview
    await s.page.goto(`${BASE}/explore?lang=en&ds=${encodeURIComponent(dataset.id)}&dd=${encodeURIComponent(found.ref)}`);
    await s.page.waitForSelector('[data-testid="explore-table"]', { timeout: 60_000 });
    const marked = await s.page.locator('[data-testid="explore-table"] [data-label-lang]').evaluateAll((els) => els.map((e) => e.getAttribute('lang') ?? ''));
    expect(marked.length, `labels of ${found.ref} marked with their language`).toBeGreaterThan(0);
    for (const l of marked) expect([...found.langs]).toContain(l);
    report.push(`e2e: ${marked.length} labels of ${found.ref} on the English page marked lang=${[...found.langs].join(',')}`);
    await s.page.goto(back);
    await waitChart(s.page, 'treemap');
  });

  it('drills three levels into the treemap; every total shown equals the API', async () => {
    const levelsOf = (st: ReturnType<typeof stateOf>) => {
      const dims = dataset.dimensions.filter((d: any) => d.levels?.length);
      const dim =
        dims.find((d: any) => d.id === st.by) ??
        dims.find((d: any) => (d.classification ?? '').toLowerCase() === 'cofog') ??
        dims.find((d: any) => /func/i.test(d.id)) ??
        dims.find((d: any) => /admin|ministr|org/i.test(d.id)) ??
        dims[0];
      return dim.levels.map((l: any) => l.ref || `${dim.id}.${l.id}`) as string[];
    };
    const checkTotal = async () => {
      const st = stateOf(s.page);
      const levels = levelsOf(st);
      const depth = st.path.length;
      const cuts = [
        { dimension: 'year', values: [String(st.y)] },
        { dimension: 'phase', values: [st.ph] },
        { dimension: 'direction', values: ['expenditure'] },
        ...(depth ? [{ dimension: levels[depth - 1], values: [st.path[depth - 1]] }] : []),
      ].filter((c) => c.dimension !== 'direction' || dataset.directions.includes('expenditure'));
      const res = await api('QueryService/Aggregate', { dataset: st.ds, version: st.v, cuts });
      const want = res.summary.values['amount.sum'];
      const el = s.page.locator('[data-testid="node-total"] .money');
      await expect.poll(() => el.getAttribute('data-value'), { timeout: 30_000 }).toBe(want);
      const shown = (await el.innerText()).replace(/\u00a0/g, ' ');
      expect(shown).toBe(formatMoney(want, res.currency || dataset.currency, { lang: st.lang, digits: st.nu as 'latn' }).replace(/\u00a0/g, ' '));
      return { depth, levels: levels.length, want };
    };

    let info = await checkTotal();
    const target = Math.min(3, info.levels);
    for (let i = 0; i < target; i++) {
      const before = s.page.url();
      const canvas = s.page.locator('[data-testid="treemap"] canvas').first();
      if (await canvas.count()) {
        // The largest tile sits in the top-left corner of a squarified treemap.
        await waitChart(s.page, 'treemap');
        await canvas.click({ position: { x: 25, y: 25 } });
        await s.page.waitForTimeout(300);
      }
      if (s.page.url() === before) {
        // Keyboard/table route: the same drill-down from the accessible table.
        await s.page.locator('[data-testid="overview-table"] a.drill').first().click();
      }
      await expect.poll(() => stateOf(s.page).path.length).toBe(i + 1);
      info = await checkTotal();
      report.push(`e2e: drill level ${i + 1}/${target}: total ${info.want} matches the API`);
    }
    expect(info.depth).toBe(target);
    if (target < 3) report.push(`e2e: the dimension has only ${info.levels} levels, drilled ${target}`);
    // Breadcrumbs lead back up.
    await expect.poll(() => s.page.locator('[data-testid="breadcrumbs"] li').count()).toBe(target + 1);
    await shot(s.page, 'overview-drilled-en');
  });

  it('switches to Arabic: dir=rtl, Arabic labels, the choice persists', async () => {
    await s.page.locator('[data-testid="lang-switch"]').click();
    await expect.poll(() => s.page.evaluate(() => document.documentElement.dir)).toBe('rtl');
    expect(await s.page.evaluate(() => document.documentElement.lang)).toBe('ar');
    expect(await s.page.locator('nav[aria-label] a[data-view="overview"]').innerText()).toBe('نظرة عامة');
    expect(stateOf(s.page).lang).toBe('ar');
    expect(await s.page.evaluate(() => localStorage.getItem('mizan.lang'))).toBe('ar');
    // Totals are formatted for Arabic too (and still exact).
    const el = s.page.locator('[data-testid="node-total"] .money');
    const v = await el.getAttribute('data-value');
    const cur = (await el.getAttribute('data-currency')) ?? '';
    await expect.poll(async () => (await el.innerText()).replace(/\u00a0/g, ' ')).toBe(formatMoney(v!, cur, { lang: 'ar', digits: 'latn' }).replace(/\u00a0/g, ' '));
    await shot(s.page, 'overview-drilled-ar');
    // Arabic-Indic digits.
    await s.page.locator('[data-testid="digits-switch"]').click();
    await expect.poll(() => el.innerText()).toMatch(/[٠-٩]/);
    await s.page.locator('[data-testid="digits-switch"]').click();
    await expect.poll(() => el.innerText()).not.toMatch(/[٠-٩]/);
  });

  it('opens a permalink in a fresh browser and gets the same view', async () => {
    await s.page.locator('[data-testid="digits-switch"]').click(); // Arabic-Indic digits, in the URL
    await expect.poll(() => stateOf(s.page).nu).toBe('arab');
    const url = s.page.url();
    const total = await s.page.locator('[data-testid="node-total"]').innerText();
    const crumbs = await s.page.locator('[data-testid="breadcrumbs"]').innerText();
    const fresh = await openSession({ locale: 'en-US' }); // new profile: nothing in localStorage
    try {
      await fresh.page.goto(url);
      await fresh.page.waitForSelector('[data-testid="node-total"] .money', { timeout: 60_000 });
      await expect.poll(() => fresh.page.locator('[data-testid="node-total"]').innerText()).toBe(total);
      expect(await fresh.page.locator('[data-testid="breadcrumbs"]').innerText()).toBe(crumbs);
      expect(await fresh.page.evaluate(() => document.documentElement.dir)).toBe('rtl');
      expect(fresh.page.url()).toBe(url);
    } finally {
      await fresh.close();
    }
    await s.page.locator('[data-testid="digits-switch"]').click();
  });

  it('opens budget vs actual with the API’s executed total', async () => {
    // Budget laws (Bahrain) carry approved figures only; compare execution
    // on a dataset that publishes executed figures.
    if (!dataset.phases?.includes('executed')) {
      const withExecution = catalog.find((d: any) => d.phases?.includes('executed'));
      expect(withExecution, 'a dataset with executed figures').toBeTruthy();
      await s.page.goto(`${BASE}/execution?lang=en&ds=${encodeURIComponent(withExecution.id)}`);
      dataset = (await api('CatalogService/GetDataset', { dataset: withExecution.id })).dataset;
    } else {
      await s.page.locator('a[data-view="execution"]').click();
    }
    await s.page.waitForSelector('[data-testid="execution-chart"], [data-testid="no-execution"]', { timeout: 60_000 });
    expect(stateOf(s.page).view).toBe('execution');
    // A year whose budget is still running has no executed figures: the
    // view says so and links to the latest year that has them.
    if (await s.page.locator('[data-testid="no-execution"]').count()) {
      const link = s.page.locator('[data-testid="last-executed-year"]');
      await link.waitFor({ timeout: 30_000 });
      report.push(`e2e: budget vs actual: ${stateOf(s.page).y} has no executed figures yet; the view offers “${await link.innerText()}”`);
      await link.click();
    }
    await waitChart(s.page, 'execution-chart');
    await s.page.waitForSelector('[data-testid="execution-table"]');
    const st = stateOf(s.page);
    const drill = new URL(s.page.url()).searchParams.get('ref');
    const dims = dataset.dimensions.filter((d: any) => d.levels?.length);
    const ref = drill || (dims.find((d: any) => /admin|ministr|org/i.test(d.id)) ?? dims[0]).levels[0].ref;
    const res = await api('QueryService/Execution', {
      dataset: st.ds,
      version: st.v,
      drilldown: [ref],
      cuts: [
        { dimension: 'year', values: [String(st.y)] },
        ...(dataset.directions.includes('expenditure') ? [{ dimension: 'direction', values: ['expenditure'] }] : []),
      ],
      lowThreshold: '0.5',
    });
    const el = s.page.locator('[data-testid="execution-total-executed"] .money');
    await expect.poll(() => el.getAttribute('data-value')).toBe(res.summary.executed);
    expect(await s.page.locator('[data-testid="execution-table"] tbody tr').count()).toBe(res.rows.length);
    const flagged = res.rows.filter((r: any) => r.over || r.under).length;
    expect(await s.page.locator('[data-testid="execution-table"] tbody tr.flag-over, [data-testid="execution-table"] tbody tr.flag-under').count()).toBe(flagged);
    report.push(`e2e: budget vs actual ${st.y}: ${res.rows.length} rows, ${flagged} flagged, executed ${res.summary.executed} as the API says`);
    await shot(s.page, 'execution-ar');
  });

  it('downloads the explore table as CSV and its sum equals the total shown', async () => {
    await s.page.locator('[data-testid="lang-switch"]').click(); // back to English
    await s.page.locator('a[data-view="explore"]').click();
    await waitChart(s.page, 'explore-chart');
    const total = await s.page.locator('[data-testid="explore-total"] .money').getAttribute('data-value');
    expect(total).toBeTruthy();
    // The total shown is the API's for the same selection.
    const st = stateOf(s.page);
    const api1 = await api('QueryService/Aggregate', {
      dataset: st.ds,
      version: st.v,
      cuts: [
        { dimension: 'year', values: [String(st.y)] },
        { dimension: 'phase', values: [st.ph] },
        ...(dataset.directions.includes('expenditure') ? [{ dimension: 'direction', values: ['expenditure'] }] : []),
      ],
    });
    expect(total).toBe(api1.summary.values['amount.sum']);

    const [download] = await Promise.all([
      s.page.waitForEvent('download', { timeout: 60_000 }),
      s.page.locator('[data-testid="download-csv"]').click(),
    ]);
    const file = join(OUT, `explore-${download.suggestedFilename() || 'export.csv'}`);
    await download.saveAs(file);
    const csv = readFileSync(file, 'utf8').replace(/^\ufeff/, '');
    const rows = parseCsv(csv);
    const header = rows[0];
    const col =
      header.indexOf('amount.sum') >= 0
        ? header.indexOf('amount.sum')
        : header.findIndex((h) => /amount/i.test(h) && /sum/i.test(h)) >= 0
          ? header.findIndex((h) => /amount/i.test(h) && /sum/i.test(h))
          : header.findIndex((h) => /^(amount|value)$/i.test(h));
    expect(col, `no amount column in ${header.join(',')}`).toBeGreaterThanOrEqual(0);
    const values = rows.slice(1).filter((r) => r.length > col && r[col] !== '').map((r) => r[col]);
    const sum = addDecimal(...values);
    expect(cmpDecimal(sum, total!), `CSV sum ${sum} vs total ${total}`).toBe(0);
    report.push(`e2e: CSV ${download.suggestedFilename()}: ${values.length} rows, sum ${sum} equals the total shown`);
    await shot(s.page, 'explore-en');
  });

  it('takes screenshots of every view in both languages, and a phone-width one', async () => {
    const st = stateOf(s.page);
    const q = `ds=${encodeURIComponent(st.ds)}&v=${st.v}&y=${st.y}&ph=${encodeURIComponent(st.ph)}`;
    const views: [string, string | null][] = [
      ['', 'treemap'],
      ['explore', 'explore-chart'],
      ['execution', null],
      ['trends', 'trends-chart'],
      ['contracts', null],
      ['data', null],
    ];
    for (const lang of ['en', 'ar']) {
      for (const [view, chart] of views) {
        await s.page.goto(`${BASE}/${view}?lang=${lang}&${q}`);
        await s.page.waitForSelector('main h1', { timeout: 60_000 });
        if (chart) await waitChart(s.page, chart);
        else await s.page.waitForLoadState('networkidle');
        expect(await s.page.evaluate(() => document.documentElement.dir)).toBe(lang === 'ar' ? 'rtl' : 'ltr');
        await shot(s.page, `${view || 'overview'}-${lang}`);
      }
    }
    const phone = await openSession({ width: 390, height: 844 });
    try {
      await phone.page.goto(`${BASE}/?lang=ar&${q}`);
      await waitChart(phone.page, 'treemap');
      const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, 'page scrolls sideways on a phone').toBeLessThanOrEqual(1);
      await shot(phone.page, 'overview-ar-phone');
    } finally {
      await phone.close();
    }
  });

  it('renders a chart alone in embed mode', async () => {
    const st = stateOf(s.page);
    await s.page.goto(`${BASE}/trends?lang=en&ds=${encodeURIComponent(st.ds)}&v=${st.v}&embed=1`);
    await waitChart(s.page, 'trends-chart');
    expect(await s.page.locator('header.top, nav').count()).toBe(0);
    await shot(s.page, 'embed-trends-en');
  });

  it('is keyboard-navigable: skip link first, visible focus', async () => {
    await s.page.goto(`${BASE}/?lang=en`);
    await s.page.waitForSelector('[data-testid="overview-table"]', { timeout: 60_000 });
    await s.page.keyboard.press('Tab');
    expect(await s.page.evaluate(() => document.activeElement?.className)).toBe('skip');
    await s.page.keyboard.press('Tab');
    const outline = await s.page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).not.toBe('none');
  });

  // The contracts and payments view has its own flows: contracts.e2e.ts.
});
