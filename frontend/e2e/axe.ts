// Runs axe-core (the WCAG rule engine) in a page driven by playwright-core.
// The dashboard is served with a Content-Security-Policy (script-src 'self',
// rpc/headers.go) that forbids inline scripts, so page.addScriptTag cannot
// inject axe. page.evaluate can: Playwright evaluates through the DevTools
// protocol, which the page's CSP does not govern. The audit therefore sees the
// page exactly as served, CSP on, with no bypassCSP context option.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** WCAG 2.0 and 2.1, levels A and AA: what issue #5 asks for. */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** Impacts that fail the audit; minor and moderate ones are reported only. */
export const FAILING_IMPACTS = ['serious', 'critical'];

/** One rule's findings on one page. */
export interface Finding {
  rule: string;
  impact: string;
  help: string;
  helpUrl: string;
  count: number;
  targets: string[];
  /** axe's explanation of the first failing node (e.g. the contrast ratio it measured). */
  summary: string;
}

export interface AxeResult {
  version: string;
  violations: Finding[];
  /** Checks axe could not decide (e.g. text over a gradient): for a person to review. */
  incomplete: Finding[];
}

/** Loads axe into the page (once) and audits the whole document against WCAG_TAGS. */
export async function runAxe(page: Page): Promise<AxeResult> {
  const loaded = await page.evaluate(() => typeof (window as any).axe === 'object');
  if (!loaded) await page.evaluate(AXE_SOURCE);
  const raw = await page.evaluate(async (tags) => {
    const axe = (window as any).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations', 'incomplete'] });
    const pick = (list: any[]) =>
      list.map((v) => ({
        rule: v.id as string,
        impact: (v.impact ?? 'unknown') as string,
        help: v.help as string,
        helpUrl: v.helpUrl as string,
        count: v.nodes.length as number,
        targets: v.nodes.map((n: any) => n.target.map(String).join(' ')) as string[],
        summary: String(v.nodes[0]?.failureSummary ?? '').replace(/\s+/g, ' ').trim(),
      }));
    return { version: axe.version as string, violations: pick(r.violations), incomplete: pick(r.incomplete) };
  }, WCAG_TAGS);
  return raw;
}

/** The violations that fail the audit. */
export function failing(r: AxeResult): Finding[] {
  return r.violations.filter((v) => FAILING_IMPACTS.includes(v.impact));
}
