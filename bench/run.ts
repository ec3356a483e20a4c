/**
 * `npm run bench [-- NAME ...]`: runs the benchmark modules listed in BENCHES (all, or those
 * named) and writes their results to bench/RESULTS.md, with the machine (CPU model, cores, Node
 * version) and the date. Each module's section is replaced on its own, so results of benches not
 * run this time stay in the file. To add a bench: write a module exporting a {@link BenchModule}
 * and list it below (explicit registration, STYLE.md 2).
 */
import { existsSync, readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeOutput } from '../src/io/output.ts';
import { diagramBench } from './diagram.ts';
import { engineBench } from './engine.ts';
import { explainBench } from './explain.ts';
import { playgroundBench } from './playground-fps.ts';
import { webBench } from './web.ts';
import type { BenchModule, BenchResult } from './types.ts';

/** The benchmarks, in run order. */
export const BENCHES: BenchModule[] = [
  diagramBench,
  engineBench,
  explainBench,
  playgroundBench,
  webBench,
];

const RESULTS = join(dirname(fileURLToPath(import.meta.url)), 'RESULTS.md');

/** One line describing this machine. */
export function machine(): string {
  const c = cpus();
  return `${c[0]?.model.trim() ?? 'unknown CPU'}, ${c.length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}-${process.arch}`;
}

/** Markdown section of one bench's results. */
export function section(b: BenchModule, r: BenchResult | { error: string }, date: string): string {
  const lines = [`<!-- bench:${b.name} -->`, `## ${b.name}`, '', b.description, '', `Run ${date} on ${machine()}.`, ''];
  if ('error' in r) {
    lines.push(`**Failed:** ${r.error}`);
  } else {
    lines.push('| measure | value | goal | met |', '|---|---|---|---|');
    for (const m of r.metrics) lines.push(`| ${m.label} | ${m.value} ${m.unit} | ${m.goal ?? ''} | ${m.ok === undefined ? '' : m.ok ? 'yes' : '**no**'} |`);
    if (r.notes?.length) lines.push('', ...r.notes.map((n) => `- ${n}`));
  }
  lines.push(`<!-- /bench:${b.name} -->`);
  return lines.join('\n');
}

/** Replaces (or appends) the section of `name` in the results text. */
export function mergeSection(text: string, name: string, body: string): string {
  const re = new RegExp(`<!-- bench:${name} -->[\\s\\S]*?<!-- /bench:${name} -->`);
  return re.test(text) ? text.replace(re, body) : `${text.trimEnd()}\n\n${body}\n`;
}

async function main(): Promise<void> {
  const names = process.argv.slice(2);
  const unknown = names.filter((n) => !BENCHES.some((b) => b.name === n));
  if (unknown.length) throw new Error(`unknown bench ${unknown.join(', ')} (known: ${BENCHES.map((b) => b.name).join(', ')})`);
  const chosen = names.length ? BENCHES.filter((b) => names.includes(b.name)) : BENCHES;
  const current = (): string => (existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : '# Benchmark results\n\nWritten by `npm run bench`; each section is replaced when its bench runs again.\n');
  const date = new Date().toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  let failed = false;
  for (const b of chosen) {
    process.stdout.write(`bench ${b.name}: ${b.description}\n`);
    let r: BenchResult | { error: string };
    try {
      r = await b.run();
      for (const m of r.metrics) process.stdout.write(`  ${m.label}: ${m.value} ${m.unit}${m.goal ? ` (goal ${m.goal}: ${m.ok ? 'met' : 'NOT met'})` : ''}\n`);
    } catch (e) {
      failed = true;
      r = { error: (e as Error).message.split('\n')[0]! };
      process.stdout.write(`  failed: ${r.error}\n`);
    }
    // Re-read just before merging: another bench may have written its section meanwhile.
    writeOutput(RESULTS, mergeSection(current(), b.name, section(b, r, date)));
  }
  process.stdout.write(`results in ${RESULTS}\n`);
  if (failed) process.exitCode = 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
