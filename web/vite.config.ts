/**
 * Vite build of the web app: a multi-page static site in web/dist/ that works from file:// or
 * any static server (`base: './'` makes every asset URL relative). Pages are listed in `pages`;
 * the playground is the first, the main app (web/index.html) joins it later.
 *
 * JSX is compiled by Vite's built-in oxc transform with React's automatic runtime, so no React
 * plugin is needed (there is no hot reload of React state, which a static build does not use).
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = dirname(fileURLToPath(import.meta.url));
const pages = ['playground.html', 'index.html'].filter((p) => existsSync(resolve(root, p)));

export default defineConfig({
  root,
  base: './',
  // One build output for all pages; the engine in src/ is shared with Node and imported by relative path.
  build: {
    outDir: resolve(root, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    rolldownOptions: {
      input: Object.fromEntries(pages.map((p) => [p.replace(/\.html$/, ''), resolve(root, p)])),
    },
  },
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  server: { fs: { allow: [resolve(root, '..')] } },
});
