/**
 * The browser e2e stage: Sitewide under `wrangler dev` over https on
 * api.example.test, the demo app on app.example.test (the only ALLOWED_ORIGINS
 * entry), a second demo server playing a hostile sibling (evil.example.test)
 * and a cross-site page (evil.test), and headless Debian Chromium mapping those
 * hostnames to loopback. `stop()` ends all of it, also when a test failed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';
import { startDemoServer } from '../../scripts/demo-server.ts';
import { ensureDevCert } from '../../scripts/dev-cert.ts';
import { freePort, type RunningSitewide, startSitewide } from './harness';

export const SESSION_COOKIE = '__Secure-sitewide.session';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface BrowserStack {
  api: string;
  app: string;
  /** A sibling subdomain that is not in ALLOWED_ORIGINS (same site, other origin). */
  evilSibling: string;
  /** Another registrable domain (another site). */
  crossSite: string;
  sitewide: RunningSitewide;
  browser: Browser;
  /** A fresh browser context: its own cookie jar; our self-signed certificate accepted. */
  newContext(options?: { viewport?: { width: number; height: number } }): Promise<BrowserContext>;
  stop(): Promise<void>;
}

/** `vars`: more Worker vars (e.g. SITE_NAME) over the stack's own; a function gets the API's origin (e.g. for GATES on its port). */
export async function startBrowserStack(
  options: { vars?: Record<string, string> | ((api: string) => Record<string, string>) } = {},
): Promise<BrowserStack> {
  const certDir = mkdtempSync(join(tmpdir(), 'sitewide-cert-'));
  const tls = ensureDevCert(certDir);
  const [apiPort, appPort, evilPort] = [await freePort(), await freePort(), await freePort()];
  const api = `https://api.example.test:${apiPort}`;
  const app = `https://app.example.test:${appPort}`;
  const stoppers: Array<() => unknown> = [() => rmSync(certDir, { recursive: true, force: true })];
  const stop = async () => {
    for (const step of stoppers.reverse()) await step();
  };
  try {
    const sitewide = await startSitewide({
      authUrl: api,
      vars: {
        APP_URL: `${app}/`,
        COOKIE_DOMAIN: 'example.test',
        ALLOWED_ORIGINS: app,
        ...(typeof options.vars === 'function' ? options.vars(api) : options.vars),
      },
      tls,
    });
    stoppers.push(() => sitewide.stop());
    for (const port of [appPort, evilPort]) {
      const server = await startDemoServer({ apiOrigin: api, port, tls });
      stoppers.push(() => server.close());
    }
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        // Sibling hostnames of the test domain (and one other site) all reach this machine.
        '--host-resolver-rules=MAP *.example.test 127.0.0.1, MAP evil.test 127.0.0.1',
      ],
    });
    stoppers.push(() => browser.close());
    return {
      api,
      app,
      evilSibling: `https://evil.example.test:${evilPort}`,
      crossSite: `https://evil.test:${evilPort}`,
      sitewide,
      browser,
      // The pages are still https, so __Secure- and __Host- cookies apply.
      newContext: (options = {}) => browser.newContext({ ignoreHTTPSErrors: true, ...options }),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
