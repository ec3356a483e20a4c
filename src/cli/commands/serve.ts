/**
 * `nnlens serve [MODEL ...] [--port N] [--host ADDR] [--open] [--max-upload MB]`: the local web app.
 * Opens the models (the bundled examples when none is given), prints the URL and serves until
 * interrupted. Binds 127.0.0.1 unless `--host` says otherwise.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { NnlensError } from '../../errors.ts';
import { bundledModels } from '../../server/examples.ts';
import { startServer, WEB_ROOT } from '../../server/server.ts';

interface Opts { port: string; host: string; open?: boolean; maxUpload: string }

/** Default port of `nnlens serve`. */
export const DEFAULT_PORT = 8765;

/** Adds the `serve` command. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('local web app: graph, weights, activations, outputs and explanations, linked (default: the bundled examples)')
    .argument('[models...]', 'model files or folders to open (default: the bundled examples)')
    .option('--port <n>', 'port to listen on (0: any free port)', String(DEFAULT_PORT))
    .option('--host <addr>', 'address to bind; anything but 127.0.0.1 exposes the app to your network', '127.0.0.1')
    .option('--open', 'open the app in the default browser')
    .option('--max-upload <MB>', 'largest model upload from the page, in MB', '1024')
    .action(async (models: string[], opts: Opts) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new NnlensError('', `--port must be a whole number from 0 to 65535, got '${opts.port}'`);
      const maxMb = Number(opts.maxUpload);
      if (!(maxMb > 0)) throw new NnlensError('', `--max-upload must be a positive number of MB, got '${opts.maxUpload}'`);
      ensureWebApp();
      const paths = models.length ? models : bundledModels();
      let s;
      try {
        s = await startServer({ models: paths, host: opts.host, port, maxUpload: Math.round(maxMb * 2 ** 20) });
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE') throw new NnlensError('', `port ${port} is in use; pick another with --port N (0: any free port)`);
        if (code === 'EADDRNOTAVAIL') throw new NnlensError('', `cannot bind ${opts.host}: not an address of this machine`);
        throw e;
      }
      const list = s.store.list();
      process.stderr.write(list.length ? `opened ${list.map((m) => m.name).join(', ')}\n` : 'no model given and no bundled examples found: open one from the page\n');
      if (opts.host !== '127.0.0.1' && opts.host !== 'localhost') process.stderr.write(`warning: listening on ${opts.host}: other machines on your network can use this app and read the models it opened\n`);
      process.stdout.write(`nnlens serve: ${s.url}\n`);
      if (opts.open) openBrowser(s.url);
      const stop = () => { void s.close().then(() => process.exit(0)); };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      await new Promise<void>((ok) => s.server.once('close', ok));
    });
}

/**
 * Builds the web app (web/dist) with Vite when it has not been built yet, so that `nnlens serve`
 * works right after `npm install` in a clone; without Vite (an installed package ships web/dist)
 * it says how to build.
 */
function ensureWebApp(): void {
  if (existsSync(join(WEB_ROOT, 'index.html'))) return;
  const root = join(WEB_ROOT, '..', '..');
  const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  if (!existsSync(vite)) throw new NnlensError(WEB_ROOT, 'the web app is not built: run npm run build:web');
  process.stderr.write('building the web app (first run)...\n');
  const r = spawnSync(process.execPath, [vite, 'build', '--config', join(root, 'web', 'vite.config.ts'), '--logLevel', 'warn'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new NnlensError(WEB_ROOT, 'building the web app failed (see above); run npm run build:web');
}

/** Opens `url` with the platform's opener (xdg-open, open, start); failures only print a note. */
function openBrowser(url: string): void {
  const [cmd, args] = process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', url]] : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args as string[], { stdio: 'ignore', detached: true });
    child.on('error', () => process.stderr.write(`could not open a browser (${cmd}); open ${url} yourself\n`));
    child.unref();
  } catch {
    process.stderr.write(`could not open a browser; open ${url} yourself\n`);
  }
}
