/**
 * The bundled example models (issue 5), which `nnlens serve` opens when given no model: every
 * model file in the repository's `examples/` folder and its sub-folders (two levels deep).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's examples folder. */
export const EXAMPLES = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples');

const MODEL_FILE = /\.(onnx|keras|h5|hdf5)$/i;

/**
 * Model files under `root` (default: the bundled examples), sorted; [] when the folder is absent.
 * A weights `.h5` with an architecture `.json` of the same name is one model (the `.json`).
 * @example bundledModels() // ['examples/digits/digits-cnn.onnx', 'examples/transactions/fraud-mlp.onnx']
 */
export function bundledModels(root = EXAMPLES): string[] {
  if (!existsSync(root)) return [];
  const out: string[] = [];
  const walk = (dir: string, depth: number) => {
    const names = readdirSync(dir).sort();
    for (const n of names) {
      const p = join(dir, n);
      const st = statSync(p);
      if (st.isDirectory()) { if (depth < 2 && !/^(samples|inputs|logs|runs|node_modules)$/.test(n)) walk(p, depth + 1); continue; }
      if (n === 'model.json') out.push(p);
      else if (MODEL_FILE.test(n)) {
        const json = join(dir, n.replace(/\.(h5|hdf5)$/i, '.json'));
        out.push(/\.(h5|hdf5)$/i.test(n) && existsSync(json) ? json : p);
      }
    }
  };
  walk(root, 0);
  return [...new Set(out)];
}
