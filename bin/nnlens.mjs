#!/usr/bin/env -S MALLOC_MMAP_THRESHOLD_=131072 node
// Entry point of the `nnlens` CLI. The sources are TypeScript run through tsx's loader,
// so there is no build step between `npm install` and the first command. The shebang sets the
// glibc malloc threshold that keeps peak memory down (bin/malloc-env.mjs says why); started as
// `node bin/nnlens.mjs`, the script relaunches itself with it.
import { fileURLToPath } from 'node:url';
import { relaunchWithMallocEnv } from './malloc-env.mjs';

if (!relaunchWithMallocEnv(fileURLToPath(import.meta.url))) {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../src/cli/main.ts');
  process.exitCode = await main(process.argv.slice(2));
}
