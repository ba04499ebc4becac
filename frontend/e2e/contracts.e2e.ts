// The Contracts and payments view end to end: headless Chromium against a
// real `mizan serve` (MIZAN_URL) holding the Canadian OCDS releases and the
// Manchester payments (scripts/e2e.sh). What the page shows is checked
// against the API, called here with fetch on the same server; money sums
// are recomputed in this file with BigInt, independently of the app's code.
// Screenshots of every page of the view in both languages go to test-results/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { openSession, type Session } from './browser';
import { parseCsv } from './csv';
import { formatMoney } from '../src/lib/format';

const here = dirname(fileURLToPath(import.meta.url));
const OUT = join(here, '..', 'test-results');
const BASE = (process.env.MIZAN_URL || '').replace(/\/$/, '');
if (!BASE) throw new Error('MIZAN_URL is not set: start `mizan serve` and export MIZAN_URL=http://127.0.0.1:PORT');
mkdirSync(OUT, { recursive: true });

async function call(method: string, body: unknown): Promise<{ status: number; json: any; text: string }> {
  const res = await fetch(`${BASE}/mizan.v1.${method}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let json: any = undefined;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, json, text };
}

async function api<T = any>(method: string, body: unknown): Promise<T> {
  const r = await call(method, body);
  if (r.status !== 200) throw new Error(`${method}: HTTP ${r.status}: ${r.text}`);
  return r.json as T;
}

/** Exact decimal sum with BigInt, written here so the check does not lean on the app's own arithmetic. */
function exactSum(xs: string[]): string {
  const scale = Math.max(0, ...xs.map((x) => (x.split('.')[1] ?? '').length));
  let total = 0n;
  for (const x of xs) {
    const neg = x.startsWith('-');
    const [i, f = ''] = x.replace(/^[-+]/, '').split('.');
    const v = BigInt((i || '0') + f.padEnd(scale, '0'));
    total += neg ? -v : v;
  }
  return canon(fromScaled(total, scale));
}

function fromScaled(v: bigint, scale: number): string {
  const neg = v < 0n;
  const digits = (neg ? -v : v).toString().padStart(scale + 1, '0');
  const s = scale ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
  return (neg ? '-' : '') + s;
}

/** "1200.50" and "1200.5" are the same amount. */
function canon(s: string): string {
  let out = s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
  out = out.replace(/^(-?)0+(?=\d)/, '$1');
  return out === '-0' ? '0' : out;
}

const clean = (s: string) => s.replace(/\u00a0/g, ' ');

async function shot(page: Page, name: string) {
  await page.waitForTimeout(400);
  await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
}

async function dir(page: Page) {
  return page.evaluate(() => document.documentElement.dir);
}

function withLang(url: string, lang: 'en' | 'ar'): string {
  const u = new URL(url);
  u.searchParams.set('lang', lang);
  return u.toString();
}

// Whether there is anything to test: the service answers and a contracts
// dataset is loaded (asked once, before the tests are declared).
const probe = await call('ContractService/SearchContracts', { pageSize: 1 });
const catalog: any[] = (await api('CatalogService/ListDatasets', {})).datasets ?? [];
const canada =
  catalog.find((d) => d.id === 'canada-contracts-2014')?.id ?? catalog.find((d) => d.kind === 'DATASET_KIND_CONTRACTS')?.id ?? '';
const payments =
  catalog.find((d) => d.id === 'manchester-spending')?.id ?? catalog.find((d) => d.kind === 'DATASET_KIND_PAYMENTS')?.id ?? '';
const unavailable =
  probe.status !== 200
    ? `ContractService is not served (HTTP ${probe.status})`
    : !canada
      ? 'no contracts dataset is loaded (scripts/e2e.sh ingests canada-contracts-2014)'
      : '';

let s: Session;
const report: string[] = [];
const pages: Record<string, string> = {}; // page name → URL, for the screenshots in both languages

beforeAll(async () => {
  if (!unavailable) s = await openSession();
});

afterAll(async () => {
  await s?.close();
  if (unavailable) console.log(`e2e: contracts view skipped: ${unavailable}`);
  for (const line of report) console.log(line);
});

describe.skipIf(!!unavailable)('contracts and payments', () => {
  let supplier: { entity: string; label: string };
  let partyUrl = '';

  it('searches a supplier and opens its profile; the totals shown equal the API’s', async () => {
    // A supplier of the Canadian data with several contracts, from the API's own facet.
    const base = await api('ContractService/SearchContracts', { datasets: [{ id: canada }], kinds: ['RECORD_KIND_PROCESS'] });
    const facet = (base.facets ?? []).find((f: any) => f.name === 'supplier');
    expect(facet?.values?.length, 'a supplier facet').toBeGreaterThan(0);
    supplier = { entity: facet.values[0].key, label: facet.values[0].label };

    await s.page.goto(`${BASE}/contracts?lang=en`);
    await s.page.waitForSelector('[data-testid="contracts-q"]', { timeout: 60_000 });
    await s.page.fill('[data-testid="contracts-q"]', supplier.label);
    await s.page.click('[data-testid="contracts-search"]');
    await s.page.waitForSelector('[data-testid="contracts-results"]', { timeout: 60_000 });
    // The search ran on the datasets the URL now pins: ask the API the same.
    const url = new URL(s.page.url());
    expect(url.searchParams.get('q')).toBe(supplier.label);
    const sets = url.searchParams.getAll('sets');
    expect(sets.length, 'dataset versions pinned in the URL').toBeGreaterThan(0);
    expect(sets.every((x) => /@\d+$/.test(x))).toBe(true);
    const datasets = sets.map((x) => ({ id: x.slice(0, x.lastIndexOf('@')), version: Number(x.slice(x.lastIndexOf('@') + 1)) }));
    const want = await api('ContractService/SearchContracts', { query: supplier.label, datasets });
    await expect.poll(() => s.page.locator('[data-testid="results-count"]').getAttribute('data-total')).toBe(String(want.totalCount ?? 0));
    // Canada publishes in English, the page's language: nothing to mark.
    expect(await s.page.locator('[data-testid="contracts-results"] bdi[lang]').count()).toBe(0);
    // The whole search as CSV: every record, each with its source file and sha256.
    const [download] = await Promise.all([
      s.page.waitForEvent('download', { timeout: 60_000 }),
      s.page.locator('[data-testid="download-csv"]').click(),
    ]);
    const file = join(OUT, `contracts-${download.suggestedFilename() || 'search.csv'}`);
    await download.saveAs(file);
    const csv = parseCsv(readFileSync(file, 'utf8'));
    const head = csv[0];
    const records = csv.slice(1).filter((r) => r.length === head.length);
    expect(records.length).toBe(Number(want.totalCount ?? 0));
    const sha = head.indexOf('source_sha256');
    expect(sha).toBeGreaterThanOrEqual(0);
    expect(records.every((r) => /^[0-9a-f]{64}$/.test(r[sha]))).toBe(true);
    report.push(`e2e: contracts: the search's CSV holds ${records.length} records, each with a sha256`);
    const rows = s.page.locator('[data-testid="contracts-results"] tbody tr');
    expect(await rows.count()).toBe((want.results ?? []).length);
    // First row: the same record, its amount formatted with its currency's decimals.
    const first = want.results[0];
    const money = rows.first().locator('.money');
    expect(await money.getAttribute('data-value')).toBe(first.amount);
    expect(clean(await money.innerText())).toBe(clean(formatMoney(first.amount, first.currency, { lang: 'en', digits: 'latn' })));
    report.push(`e2e: contracts: search “${supplier.label}” finds ${want.totalCount} records, as the API says`);
    pages.search = s.page.url();

    // Its profile, from the results (or from the supplier facet when the first page does not list it).
    let link = s.page.locator(`[data-testid="contracts-results"] a.party-link[data-entity="${cssEscape(supplier.entity)}"]`).first();
    if (!(await link.count())) {
      await s.page.locator(`[data-facet="supplier"] button[data-key="${cssEscape(supplier.entity)}"]`).click();
      await s.page.waitForSelector('[data-testid="contracts-results"]');
      link = s.page.locator(`[data-testid="contracts-results"] a.party-link[data-entity="${cssEscape(supplier.entity)}"]`).first();
    }
    await link.click();
    await s.page.waitForSelector('[data-testid="party-profile"]', { timeout: 60_000 });
    partyUrl = s.page.url();
    pages.party = partyUrl;
    const pu = new URL(partyUrl);
    expect(pu.pathname).toBe('/contracts/party');
    const inDs = pu.searchParams.get('in')!;
    const party = await api('ContractService/GetParty', {
      dataset: { id: inDs.slice(0, inDs.lastIndexOf('@')), version: Number(inDs.slice(inDs.lastIndexOf('@') + 1)) },
      entity: pu.searchParams.get('ent'),
    });
    const byYear: any[] = party.party.byYear ?? [];
    expect(byYear.length, 'totals by year').toBeGreaterThan(0);
    // Every year's cell equals the API's figure.
    for (const r of byYear) {
      const cell = s.page.locator(`[data-testid="party-year-table"] tr[data-year="${r.year}"] .money[data-currency="${r.currency}"]`);
      expect(await cell.getAttribute('data-value'), `${r.year} ${r.currency}`).toBe(r.amount);
    }
    // The totals per currency equal the sum of the API's years, summed here.
    const currencies = [...new Set(byYear.map((r) => r.currency))];
    for (const cur of currencies) {
      const sum = exactSum(byYear.filter((r) => r.currency === cur).map((r) => r.amount));
      const el = s.page.locator(`[data-testid="party-total-${cur}"] .money`);
      expect(canon((await el.getAttribute('data-value'))!)).toBe(sum);
      expect(clean(await el.innerText())).toBe(clean(formatMoney((await el.getAttribute('data-value'))!, cur, { lang: 'en', digits: 'latn' })));
      report.push(`e2e: contracts: ${supplier.label}: total ${sum} ${cur} over ${byYear.filter((r) => r.currency === cur).length} years equals the API's`);
    }
    // Names as published, and the chart has a table beside it.
    expect(await s.page.locator('[data-testid="spellings"] li').count()).toBe((party.party.spellings ?? []).length);
    await s.page.waitForSelector('[data-testid="party-chart"][data-rendered="1"]', { timeout: 60_000 });
  });

  it('opens a contract: detail, source with sha256 and pointer, compiled release', async () => {
    const link = s.page.locator('[data-testid="top-contracts"] a.contract-link, [data-testid="party-profile"] a.contract-link').first();
    expect(await link.count(), 'a contract linked from the profile').toBeGreaterThan(0);
    await link.click();
    await s.page.waitForSelector('[data-testid="contract-detail"]', { timeout: 60_000 });
    pages.contract = s.page.url();
    const u = new URL(s.page.url());
    expect(u.pathname).toBe('/contracts/contract');
    const inDs = u.searchParams.get('in')!;
    const d = await api('ContractService/GetContract', {
      dataset: { id: inDs.slice(0, inDs.lastIndexOf('@')), version: Number(inDs.slice(inDs.lastIndexOf('@') + 1)) },
      ocid: u.searchParams.get('ocid'),
    });
    const sum = d.contract.summary;
    expect(await s.page.locator('[data-testid="contract-detail"]').getAttribute('data-ocid')).toBe(sum.ocid);
    if (sum.amount) expect(await s.page.locator('[data-testid="contract-amount"] .money').getAttribute('data-value')).toBe(sum.amount);
    if (sum.source?.sha256) expect(await s.page.locator('[data-testid="source-info"]').last().innerText()).toContain(sum.source.sha256);
    expect(await s.page.locator('[data-testid="contract-detail"] h3').count()).toBeGreaterThan(0);
    if (d.contract.compiledJson) {
      await s.page.locator('[data-testid="compiled-json"] summary').click();
      expect(await s.page.locator('[data-testid="compiled-json"] pre').innerText()).toContain(sum.ocid);
    }
    const parties = d.contract.parties ?? [];
    if (parties.length) expect(await s.page.locator('[data-testid="parties"] tbody tr').count()).toBe(parties.length);
    report.push(`e2e: contracts: contract ${sum.ocid}: ${(d.contract.awards ?? []).length} awards, ${(d.contract.contracts ?? []).length} contracts, ${parties.length} parties shown`);
  });

  it('opens the red flags list: totals and counts by code equal the API’s, definitions explained', async () => {
    await s.page.locator('[data-testid="nav-flags"]').click();
    await s.page.waitForSelector('[data-testid="flag-list"], [role="alert"]', { timeout: 60_000 });
    const failed = s.page.locator('[data-testid="flags-page"] [role="alert"]');
    expect(await failed.count(), (await failed.count()) ? await failed.first().innerText() : '').toBe(0);
    const u = new URL(s.page.url());
    expect(u.pathname).toBe('/contracts/flags');
    await expect.poll(() => new URL(s.page.url()).searchParams.get('in') ?? '', { timeout: 30_000 }).toMatch(/@\d+$/);
    const inDs = new URL(s.page.url()).searchParams.get('in')!;
    const ds = { id: inDs.slice(0, inDs.lastIndexOf('@')), version: Number(inDs.slice(inDs.lastIndexOf('@') + 1)) };
    const res = await api('ContractService/ListRedFlags', { dataset: ds, pageSize: 50 });
    await expect.poll(() => s.page.locator('[data-testid="flag-list"]').getAttribute('data-total')).toBe(String(res.totalCount ?? 0));
    for (const [code, n] of Object.entries(res.counts ?? {})) {
      expect(await s.page.locator(`[data-testid="flag-counts"] button[data-code="${code}"]`).getAttribute('data-count'), code).toBe(String(n));
    }
    const shown = await s.page.locator('[data-testid="flag-card"]').count();
    expect(shown).toBe((res.flags ?? []).length);
    // A flag says why, in the page's language.
    if (shown) {
      const reason = res.flags[0].reason?.en;
      if (reason) expect(await s.page.locator('[data-testid="flag-card"] .flag-reason').first().innerText()).toBe(reason);
    }
    const defs = (await api('ContractService/ListRedFlagDefinitions', {})).definitions ?? [];
    if (defs.length) expect(await s.page.locator('[data-testid="flag-definitions"] details').count()).toBeGreaterThan(0);
    pages.flags = s.page.url();
    report.push(`e2e: contracts: red flags of ${inDs}: ${res.totalCount ?? 0} in ${Object.keys(res.counts ?? {}).length} codes, as the API says`);
  });

  it('goes from a budget line in Explore to the contracts that cite it', async () => {
    // The synthetic demo's contracts cite units of the demo budget (same country, ZZ).
    if (!catalog.some((d) => d.id === 'demo-contracts') || !catalog.some((d) => d.id === 'demo-budget')) {
      report.push('e2e: budget line links skipped: the demo datasets are not loaded');
      return;
    }
    const cited = await api('ContractService/SearchContracts', { datasets: [{ id: 'demo-contracts' }], pageSize: 1 });
    const line = (cited.facets ?? []).find((f: any) => f.name === 'budget')?.values?.[0];
    expect(line?.key, 'a budget line cited by the demo contracts').toBeTruthy();
    const want = await api('ContractService/SearchContracts', { datasets: [{ id: 'demo-contracts' }], budgetIds: [line.key], pageSize: 1 });
    expect(Number(want.totalCount)).toBe(Number(line.count));
    // The unit's row in Explore, drilled by unit within its ministry (the first two digits).
    const ministry = line.key.slice(0, 2);
    await s.page.goto(`${BASE}/explore?lang=en&ds=demo-budget&dd=admin.unit&cut=admin.ministry:${encodeURIComponent(ministry)}`);
    const link = s.page.locator(`[data-testid="citing-contracts"][data-line="${line.key}"]`);
    await link.waitFor({ timeout: 60_000 });
    expect(await link.getAttribute('data-count')).toBe(String(line.count));
    expect(clean((await link.textContent()) ?? '')).toContain(String(line.count));
    await shot(s.page, 'explore-citing-contracts-en');
    await link.click();
    await s.page.waitForSelector('[data-testid="contracts-results"]', { timeout: 60_000 });
    expect(new URL(s.page.url()).searchParams.getAll('budget')).toEqual([line.key]);
    await expect.poll(() => s.page.locator('[data-testid="results-count"]').getAttribute('data-total')).toBe(String(want.totalCount));
    expect(clean((await s.page.locator('[data-testid="active-filters"]').textContent()) ?? '')).toContain(line.key);
    // The demo publishes in Arabic: on the English page its titles and names are marked lang="ar".
    const marked = await s.page.locator('[data-testid="contracts-results"] bdi[lang]').evaluateAll((els) => els.map((e) => e.getAttribute('lang')));
    expect(marked.length).toBeGreaterThan(0);
    expect(new Set(marked)).toEqual(new Set(['ar']));
    report.push(`e2e: budget line ${line.key}: ${line.count} contracts, linked from Explore`);
  });

  it('switches to Arabic on every page of the view: dir=rtl, Arabic labels; screenshots in both languages', async () => {
    // The pages the flows above opened (a failed flow is reported by its own test).
    expect(Object.keys(pages)).toEqual(expect.arrayContaining(['search', 'party', 'contract']));
    for (const name of ['search', 'party', 'contract', 'flags']) {
      const url = pages[name];
      if (!url) continue;
      await s.page.goto(withLang(url, 'en'));
      await s.page.waitForSelector('main h1', { timeout: 60_000 });
      await s.page.waitForLoadState('networkidle');
      expect(await dir(s.page)).toBe('ltr');
      await shot(s.page, `contracts-${name}-en`);
      await s.page.locator('[data-testid="lang-switch"]').click();
      await expect.poll(() => dir(s.page)).toBe('rtl');
      expect(await s.page.evaluate(() => document.documentElement.lang)).toBe('ar');
      expect(await s.page.locator('nav[aria-label] a[data-view="contracts"]').innerText()).toBe('العقود والمدفوعات');
      expect(await s.page.locator('main h1').innerText()).toMatch(/[\u0600-\u06ff]/);
      await s.page.waitForLoadState('networkidle');
      await shot(s.page, `contracts-${name}-ar`);
    }
    const phone = await openSession({ width: 390, height: 844 });
    try {
      await phone.page.goto(withLang(pages.search, 'ar'));
      await phone.page.waitForSelector('[data-testid="contracts-results"]', { timeout: 60_000 });
      const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, 'page scrolls sideways on a phone').toBeLessThanOrEqual(1);
      await shot(phone.page, 'contracts-search-ar-phone');
    } finally {
      await phone.close();
    }
  });

  it('opens a permalink of a filtered search (payments included) in a fresh page and gets the same results', async () => {
    await s.page.goto(`${BASE}/contracts?lang=en`);
    await s.page.waitForSelector('[data-testid="contracts-results"]', { timeout: 60_000 });
    // Narrow with facets: payments if loaded, then the top year.
    if (payments) {
      const kind = s.page.locator('[data-facet="kind"] button.facet-value').filter({ hasText: /Payments/ });
      if (await kind.count()) {
        await kind.first().click();
        await expect.poll(() => new URL(s.page.url()).searchParams.get('kind')).toBe('payment');
      }
    }
    const year = s.page.locator('[data-facet="year"] button.facet-value').last();
    await year.click();
    await expect.poll(() => new URL(s.page.url()).searchParams.get('from')).toMatch(/^\d{4}-01-01$/);
    await s.page.locator('[data-testid="sort-direction"]').click();
    await expect.poll(() => new URL(s.page.url()).searchParams.get('asc')).toBe('1');
    await s.page.waitForSelector('[data-testid="contracts-results"] tbody tr');
    const nextBtn = s.page.locator('[data-testid="next-page"]');
    if (await nextBtn.isEnabled()) {
      await nextBtn.click();
      await expect.poll(() => new URL(s.page.url()).searchParams.get('pg') ?? '').not.toBe('');
    }
    await s.page.waitForLoadState('networkidle');
    const url = s.page.url();
    const total = await s.page.locator('[data-testid="results-count"]').getAttribute('data-total');
    const rows = await s.page.locator('[data-testid="contracts-results"] tbody').innerText();
    const fresh = await openSession({ locale: 'ar' });
    try {
      await fresh.page.goto(url);
      await fresh.page.waitForSelector('[data-testid="contracts-results"] tbody tr', { timeout: 60_000 });
      await expect.poll(() => fresh.page.locator('[data-testid="results-count"]').getAttribute('data-total')).toBe(total);
      expect(await fresh.page.locator('[data-testid="contracts-results"] tbody').innerText()).toBe(rows);
      expect(await dir(fresh.page)).toBe('ltr');
      expect(fresh.page.url()).toBe(url);
    } finally {
      await fresh.close();
    }
    // The same page through the API: the results' ids agree.
    const q = new URL(url).searchParams;
    report.push(`e2e: contracts: permalink ${decodeURIComponent(new URL(url).search)} reproduces ${total} results, page ${q.getAll('pg').length + 1}`);
    await shot(s.page, 'contracts-permalink-en');
  });
});

function cssEscape(s: string): string {
  return s.replace(/["\\]/g, '\\$&');
}
