// Launching Debian's Chromium through playwright-core (never
// `playwright install`): a fresh temporary profile per context.
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Session {
  ctx: BrowserContext;
  page: Page;
  close: () => Promise<void>;
}

export async function openSession(opts: { width?: number; height?: number; locale?: string } = {}): Promise<Session> {
  const dir = mkdtempSync(join(tmpdir(), 'mizan-e2e-'));
  const ctx = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    args: ARGS,
    headless: true,
    viewport: { width: opts.width ?? 1280, height: opts.height ?? 900 },
    locale: opts.locale ?? 'en-US',
    acceptDownloads: true,
  });
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  page.on('pageerror', (e) => console.error('[page error]', page.url(), e.message, e.stack?.split('\n').slice(0, 12).join(' / ')));
  page.on('console', (m) => {
    if (m.type() === 'error') console.error('[console]', m.text());
  });
  return {
    ctx,
    page,
    close: async () => {
      await ctx.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
