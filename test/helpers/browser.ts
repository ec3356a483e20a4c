/**
 * Headless Chromium for the web tests and benchmarks: a static file server for web/dist on
 * 127.0.0.1 (random port), the web build when it is missing, and Debian's chromium driven by
 * playwright-core. Tests skip, saying so, when /usr/bin/chromium is absent.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { Browser } from 'playwright-core';
import { ROOT } from './shared.ts';

/** Debian's chromium (`apt-get install chromium`). */
export const CHROMIUM = '/usr/bin/chromium';
/** Skip reason for browser tests (node:test prints it), false when chromium is installed. */
export const NEEDS_CHROMIUM = existsSync(CHROMIUM) ? false : `SKIPPED: ${CHROMIUM} is absent (apt-get install -y chromium)`;
/** The built web app of `npm run build:web`. */
export const WEB_DIST = join(ROOT, 'web', 'dist');

/** Builds web/dist with Vite when `page` is not there yet. */
export function ensureWebBuild(page = 'playground.html'): void {
  if (!existsSync(join(WEB_DIST, page))) buildWeb();
}

/**
 * Builds the web app with Vite (as `npm run build:web`), throwing with Vite's output on failure.
 * With `pages`, builds only those pages into a fresh folder of its own (returned), so a test is
 * independent of other pages' state and of other builds writing web/dist at the same time.
 */
export function buildWeb(pages?: string[]): string {
  const out = pages ? mkdtempSync(join(tmpdir(), 'nnlens-web-')) : WEB_DIST;
  if (pages) process.once('exit', () => rmSync(out, { recursive: true, force: true }));
  const env = pages ? { ...process.env, NNLENS_WEB_PAGES: pages.join(','), NNLENS_WEB_OUT: out } : process.env;
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', join(ROOT, 'web', 'vite.config.ts')], { cwd: ROOT, encoding: 'utf8', env });
  if (r.status !== 0) throw new Error(`web build failed:\n${r.stdout}\n${r.stderr}`);
  return out;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.json': 'application/json',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.wasm': 'application/wasm', '.onnx': 'application/octet-stream',
};

/** Serves `dir` read-only on 127.0.0.1 at a random port; resolves to the server and its base URL. */
export async function serveStatic(dir: string): Promise<{ server: Server; url: string }> {
  const root = resolve(dir);
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(root, path));
    // Refuse anything that escapes the folder (../).
    if (!(file === root || file.startsWith(root + sep)) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(readFileSync(file));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('static server has no port');
  return { server, url: `http://127.0.0.1:${addr.port}/` };
}

/**
 * Launches headless chromium with the flags that keep it off the network and quiet (plus
 * `extraArgs`). `NNLENS_CHROMIUM` names another executable (a wrapper that sets priority, say).
 */
export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: process.env.NNLENS_CHROMIUM ?? CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', ...extraArgs],
  });
}
