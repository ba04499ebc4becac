// Accessibility audit of every view: axe-core's WCAG 2.0/2.1 A and AA rules
// in headless Chromium against a real `mizan serve` (MIZAN_URL), in English
// and Arabic (right to left), at desktop and phone widths. Serious and
// critical violations fail; every violation (rule, impact, targets, count) is
// written to test-results/a11y-axe.json and summed up in the test output.
// A last test tabs through the Overview: the selectors, the treemap's table
// and the language switch are reached, each with a visible focus indicator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { openSession, type Session } from './browser';
import { failing, runAxe, WCAG_TAGS, type Finding } from './axe';

const here = dirname(fileURLToPath(import.meta.url));
const OUT = join(here, '..', 'test-results');
const BASE = (process.env.MIZAN_URL || '').replace(/\/$/, '');
if (!BASE) throw new Error('MIZAN_URL is not set: start `mizan serve` and export MIZAN_URL=http://127.0.0.1:PORT');
mkdirSync(OUT, { recursive: true });

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

type Lang = 'en' | 'ar';
const LANGS: Lang[] = ['en', 'ar'];
const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 900 },
  { name: 'phone', width: 390, height: 844 },
];

/** A page to audit: its address (without lang) and what shows it is ready. */
interface Target {
  name: string;
  path: string;
  ready: string;
}

const catalog: any[] = (await api('CatalogService/ListDatasets', {})).datasets ?? [];
const budgetKind = (d: any) => !d.kind || d.kind === 'DATASET_KIND_BUDGET';
const budgetDs = process.env.MIZAN_E2E_DATASET || catalog.find(budgetKind)?.id || '';
const executionDs = catalog.find((d) => d.phases?.includes('executed'))?.id ?? budgetDs;
const contractsDs = catalog.find((d) => d.kind === 'DATASET_KIND_CONTRACTS')?.id ?? '';
const q = (ds: string) => (ds ? `ds=${encodeURIComponent(ds)}` : '');

const targets: Target[] = [
  { name: 'overview', path: `/?${q(budgetDs)}`, ready: '[data-testid="treemap"][data-rendered="1"]' },
  { name: 'explore', path: `/explore?${q(budgetDs)}`, ready: '[data-testid="explore-chart"][data-rendered="1"]' },
  {
    name: 'execution',
    path: `/execution?${q(executionDs)}`,
    ready: '[data-testid="execution-chart"][data-rendered="1"], [data-testid="no-execution"]',
  },
  { name: 'trends', path: `/trends?${q(budgetDs)}`, ready: '[data-testid="trends-chart"][data-rendered="1"]' },
  { name: 'data', path: `/data?${q(budgetDs)}`, ready: 'main h1' },
];

const runs: { page: string; lang: Lang; viewport: string; url: string; violations: Finding[]; incomplete: Finding[] }[] = [];
let axeVersion = '';

/** Opens a target in one language, waits until it has loaded, and audits it. */
async function audit(page: Page, t: Target, lang: Lang, viewport: string): Promise<Finding[]> {
  const u = new URL(t.path, BASE);
  u.searchParams.set('lang', lang);
  await page.goto(u.toString());
  await page.waitForSelector(t.ready, { timeout: 60_000 });
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(400); // chart animations and late renders settle
  expect(await page.evaluate(() => document.documentElement.dir)).toBe(lang === 'ar' ? 'rtl' : 'ltr');
  const r = await runAxe(page);
  axeVersion = r.version;
  runs.push({ page: t.name, lang, viewport, url: page.url(), violations: r.violations, incomplete: r.incomplete });
  return failing(r);
}

const describeFailing = (page: string, lang: Lang, fs: Finding[]) =>
  fs.map((f) => `${page} ${lang}: ${f.rule} (${f.impact}) ×${f.count}: ${f.targets.slice(0, 5).join(' | ')} — ${f.summary}`);

afterAll(() => {
  const file = join(OUT, 'a11y-axe.json');
  writeFileSync(file, JSON.stringify({ axe: axeVersion, tags: WCAG_TAGS, base: BASE, runs }, null, 2) + '\n');
  // Summary: pages audited, violations by rule over every page.
  const byRule = new Map<string, { impact: string; pages: number; nodes: number }>();
  for (const r of runs)
    for (const v of r.violations) {
      const e = byRule.get(v.rule) ?? { impact: v.impact, pages: 0, nodes: 0 };
      e.pages++;
      e.nodes += v.count;
      byRule.set(v.rule, e);
    }
  const incomplete = new Set(runs.flatMap((r) => r.incomplete.map((i) => i.rule)));
  console.log(`a11y: axe-core ${axeVersion}, ${WCAG_TAGS.join(' ')}: ${runs.length} page audits, report in ${file}`);
  if (!byRule.size) console.log('a11y: no violations');
  for (const [rule, e] of [...byRule].sort((a, b) => b[1].nodes - a[1].nodes))
    console.log(`a11y: ${rule} (${e.impact}): ${e.nodes} element(s) on ${e.pages} page(s)`);
  if (incomplete.size) console.log(`a11y: for a person to review (axe could not decide): ${[...incomplete].sort().join(', ')}`);
});

for (const vp of VIEWPORTS) {
  describe(`accessibility audit, ${vp.name} (${vp.width}px)`, () => {
    let s: Session;
    const contractPages: Target[] = [];

    beforeAll(async () => {
      s = await openSession({ width: vp.width, height: vp.height });
    });
    afterAll(async () => {
      await s?.close();
    });

    for (const t of targets) {
      it(`${t.name}: no serious or critical WCAG violations, English and Arabic`, async () => {
        const bad: string[] = [];
        for (const lang of LANGS) bad.push(...describeFailing(t.name, lang, await audit(s.page, t, lang, vp.name)));
        expect(bad, bad.join('\n')).toEqual([]);
      });
    }

    describe.skipIf(!contractsDs)('contracts and payments', () => {
      const search: Target = { name: 'contracts-search', path: '/contracts?kind=process', ready: '[data-testid="contracts-results"]' };

      it('contracts search: no serious or critical WCAG violations, English and Arabic', async () => {
        const bad: string[] = [];
        for (const lang of LANGS) {
          bad.push(...describeFailing(search.name, lang, await audit(s.page, search, lang, vp.name)));
          if (contractPages.length) continue;
          // The first contract and party of the results are the ones audited next.
          const contract = await s.page.locator('[data-testid="contracts-results"] a.contract-link').first().getAttribute('href');
          const party = await s.page.locator('[data-testid="contracts-results"] a.party-link').first().getAttribute('href');
          expect(contract, 'a contract in the results').toBeTruthy();
          expect(party, 'a party in the results').toBeTruthy();
          contractPages.push(
            { name: 'contract', path: contract!, ready: '[data-testid="contract-detail"]' },
            { name: 'party', path: party!, ready: '[data-testid="party-chart"][data-rendered="1"]' },
            { name: 'flags', path: `/contracts/flags?in=${encodeURIComponent(contractsDs)}`, ready: '[data-testid="flag-list"]' },
          );
        }
        expect(bad, bad.join('\n')).toEqual([]);
      });

      for (const name of ['contract', 'party', 'flags']) {
        it(`${name}: no serious or critical WCAG violations, English and Arabic`, async () => {
          const t = contractPages.find((p) => p.name === name);
          expect(t, 'found by the search test').toBeTruthy();
          const bad: string[] = [];
          for (const lang of LANGS) bad.push(...describeFailing(name, lang, await audit(s.page, t!, lang, vp.name)));
          expect(bad, bad.join('\n')).toEqual([]);
        });
      }
    });
  });
}

describe('keyboard', () => {
  it('Tab through the Overview reaches the selectors, the treemap’s table and the language switch, with a visible focus', async () => {
    const s = await openSession();
    try {
      await s.page.goto(`${BASE}/?lang=en&${q(budgetDs)}`);
      await s.page.waitForSelector('[data-testid="overview-table"]', { timeout: 60_000 });
      await s.page.waitForLoadState('networkidle');
      const wanted: Record<string, string> = {
        dataset: '#sel-dataset',
        year: '#sel-year',
        phase: '#sel-phase',
        table: '.table-wrap:has([data-testid="overview-table"]), [data-testid="overview-table"] a',
        lang: '[data-testid="lang-switch"]',
      };
      const reached: Record<string, { focusVisible: boolean; outline: string; shadow: string }> = {};
      for (let i = 0; i < 80 && Object.keys(reached).length < Object.keys(wanted).length; i++) {
        await s.page.keyboard.press('Tab');
        const hit = await s.page.evaluate((wanted) => {
          const el = document.activeElement as HTMLElement | null;
          if (!el || el === document.body) return null;
          const name = Object.keys(wanted).find((k) => el.matches(wanted[k]));
          if (!name) return null;
          const cs = getComputedStyle(el);
          return {
            name,
            focusVisible: el.matches(':focus-visible'),
            outline: cs.outlineStyle === 'none' || parseFloat(cs.outlineWidth) === 0 ? 'none' : `${cs.outlineWidth} ${cs.outlineStyle} ${cs.outlineColor}`,
            shadow: cs.boxShadow,
          };
        }, wanted);
        if (hit && !reached[hit.name]) reached[hit.name] = hit;
      }
      expect(Object.keys(reached).sort(), 'controls reached by Tab').toEqual(Object.keys(wanted).sort());
      for (const [name, r] of Object.entries(reached)) {
        expect(r.focusVisible, `${name} matches :focus-visible`).toBe(true);
        expect(r.outline !== 'none' || r.shadow !== 'none', `${name} shows a focus indicator (outline ${r.outline}, box-shadow ${r.shadow})`).toBe(true);
      }
      console.log(`a11y: keyboard: ${Object.entries(reached).map(([k, r]) => `${k} (${r.outline !== 'none' ? `outline ${r.outline}` : `box-shadow ${r.shadow}`})`).join(', ')}`);
    } finally {
      await s.close();
    }
  });
});
