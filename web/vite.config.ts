/**
 * Vite build of the web app: a multi-page static site in web/dist/ (`base: './'` makes every
 * asset URL relative). Pages are listed in `pages`; the playground is the first, the main app
 * (web/index.html) joins it later.
 *
 * The playground must also open straight from disk (double-clicking web/dist/playground.html):
 * Chromium refuses module scripts and `crossorigin` stylesheets from file:// URLs, so after the
 * multi-page build {@link singleFilePage} rebuilds it as one self-contained HTML file, script
 * and styles inline, whatever chunks the pages happen to share.
 *
 * JSX is compiled by Vite's built-in oxc transform with React's automatic runtime, so no React
 * plugin is needed (there is no hot reload of React state, which a static build does not use).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, defineConfig, type Plugin } from 'vite';

const root = dirname(fileURLToPath(import.meta.url));
// NNLENS_WEB_PAGES (comma-separated) and NNLENS_WEB_OUT let tests build one page into their own
// folder, independent of other pages and of builds running at the same time.
const wanted = process.env.NNLENS_WEB_PAGES?.split(',') ?? ['playground.html', 'index.html'];
const pages = wanted.filter((p) => existsSync(resolve(root, p)));
const outDir = process.env.NNLENS_WEB_OUT ? resolve(process.env.NNLENS_WEB_OUT) : resolve(root, 'dist');
const oxc = { jsx: { runtime: 'automatic' as const, importSource: 'react' } };

/** After the build, rewrites `page` in the output folder as a single HTML file with its script and CSS inline. */
function singleFilePage(page: string): Plugin {
  let outDir = '';
  return {
    name: 'nnlens-single-file-page',
    apply: 'build',
    configResolved(c) {
      outDir = c.build.outDir;
    },
    async closeBundle() {
      const result = await build({
        configFile: false, root, base: './', logLevel: 'warn', oxc,
        build: {
          write: false, target: 'es2022', modulePreload: { polyfill: false }, cssCodeSplit: false,
          rolldownOptions: { input: resolve(root, page) },
        },
      });
      const out = (Array.isArray(result) ? result[0] : result) as { output: { type: string; fileName: string; code?: string; source?: string | Uint8Array; isEntry?: boolean }[] };
      const chunks = out.output.filter((o) => o.type === 'chunk');
      if (chunks.length !== 1) throw new Error(`${page}: expected one script chunk, got ${chunks.length}`);
      const html = out.output.find((o) => o.fileName === page);
      const css = out.output.filter((o) => o.fileName.endsWith('.css')).map((o) => String(o.source)).join('\n');
      if (!html) throw new Error(`${page}: the build produced no HTML`);
      // `</script` inside the code would end the inline element; `<\/script` means the same in JS.
      const code = chunks[0].code!.replace(/<\/script/gi, '<\\/script');
      const text = String(html.source)
        .replace(/<script type="module" crossorigin src="[^"]+"><\/script>/, () => `<script type="module">${code}</script>`)
        .replace(/<link rel="stylesheet" crossorigin href="[^"]+">/, () => `<style>${css}</style>`);
      if (/src="\.\/assets|href="\.\/assets/.test(text)) throw new Error(`${page}: an asset is still referenced by URL`);
      writeFileSync(join(outDir, page), text);
    },
  };
}

export default defineConfig({
  root,
  base: './',
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    rolldownOptions: {
      input: Object.fromEntries(pages.map((p) => [p.replace(/\.html$/, ''), resolve(root, p)])),
    },
  },
  oxc,
  plugins: pages.includes('playground.html') ? [singleFilePage('playground.html')] : [],
  server: { fs: { allow: [resolve(root, '..')] } },
});
