/**
 * Arithmetic on dimensions that may be symbolic.
 *
 * Exporters name unknown sizes (`batch_size`, `past_sequence_length + sequence_length`), and the
 * shape-computing subgraphs of exported models (Shape -> Gather -> Add -> Concat -> Reshape) do
 * arithmetic on them. A symbolic dimension is kept as a polynomial with integer coefficients over
 * named symbols, so that `seq + past` and `past + seq` compare equal and `64*batch*seq / batch`
 * simplifies to `64*seq`. Anything the parser does not understand (e.g. `floor(H/2)`) becomes one
 * opaque symbol, which is still exact for equality.
 */
import type { Dim } from '../ir.ts';

/** A monomial's symbols (sorted) joined by `*`; `''` is the constant term. */
type Poly = Map<string, number>;

const parsed = new Map<string, Poly>();

/** Parses a symbolic dimension (cached); unparseable text is one opaque symbol. */
function parse(text: string): Poly {
  let p = parsed.get(text);
  if (!p) {
    p = parseExpr(text) ?? new Map([[atom(text.trim()), 1]]);
    parsed.set(text, p);
  }
  return p;
}

/** Opaque symbols that contain operator characters are parenthesized, so printing stays unambiguous. */
function atom(name: string): string {
  return /^[A-Za-z_][\w.:]*$/.test(name) ? name : `(${name})`;
}

function parseExpr(text: string): Poly | undefined {
  const tokens = text.match(/\s*([A-Za-z_][\w.:]*|\d+|[-+*()]|\S)/g)?.map((t) => t.trim());
  if (!tokens) return undefined;
  let i = 0;
  const expr = (): Poly | undefined => {
    let acc = term();
    while (acc && (tokens[i] === '+' || tokens[i] === '-')) {
      const op = tokens[i++];
      const t = term();
      if (!t) return undefined;
      acc = op === '+' ? add(acc, t) : add(acc, scale(t, -1));
    }
    return acc;
  };
  const term = (): Poly | undefined => {
    let acc = factor();
    while (acc && tokens[i] === '*') {
      i++;
      const f = factor();
      if (!f) return undefined;
      acc = mul(acc, f);
    }
    return acc;
  };
  const factor = (): Poly | undefined => {
    const t = tokens[i++];
    if (t === undefined) return undefined;
    if (t === '-') { const f = factor(); return f && scale(f, -1); }
    if (t === '(') { const e = expr(); return tokens[i++] === ')' ? e : undefined; }
    if (/^\d+$/.test(t)) return constant(Number(t));
    if (/^[A-Za-z_]/.test(t)) return new Map([[t, 1]]);
    return undefined;
  };
  const p = expr();
  return p && i === tokens.length ? p : undefined;
}

function constant(c: number): Poly {
  return new Map(c === 0 ? [] : [['', c]]);
}

function add(a: Poly, b: Poly): Poly {
  const out = new Map(a);
  for (const [k, c] of b) {
    const s = (out.get(k) ?? 0) + c;
    if (s === 0) out.delete(k); else out.set(k, s);
  }
  return out;
}

function scale(a: Poly, c: number): Poly {
  const out: Poly = new Map();
  if (c !== 0) for (const [k, v] of a) out.set(k, v * c);
  return out;
}

function mulKeys(a: string, b: string): string {
  if (!a) return b;
  if (!b) return a;
  return [...a.split('*'), ...b.split('*')].sort().join('*');
}

function mul(a: Poly, b: Poly): Poly {
  let out: Poly = new Map();
  for (const [ka, ca] of a) for (const [kb, cb] of b) out = add(out, new Map([[mulKeys(ka, kb), ca * cb]]));
  return out;
}

/** Divides monomial `a` by `b` (both keys); undefined when `b` does not divide `a`. */
function divKeys(a: string, b: string): string | undefined {
  if (!b) return a;
  const rest = a ? a.split('*') : [];
  for (const s of b.split('*')) {
    const i = rest.indexOf(s);
    if (i < 0) return undefined;
    rest.splice(i, 1);
  }
  return rest.join('*');
}

function toDim(p: Poly): Dim {
  if (p.size === 0) return 0;
  if (p.size === 1 && p.has('')) return p.get('')!;
  const terms = [...p.entries()].sort(([ka], [kb]) => (ka === '' ? 1 : kb === '' ? -1 : ka < kb ? -1 : ka > kb ? 1 : 0));
  return terms.map(([k, c], i) => {
    const mag = Math.abs(c);
    const body = k === '' ? String(mag) : mag === 1 ? k : `${mag}*${k}`;
    if (i === 0) return c < 0 ? `-${body}` : body;
    return c < 0 ? ` - ${body}` : ` + ${body}`;
  }).join('');
}

function fromDim(d: Dim): Poly | undefined {
  if (d === null) return undefined;
  return typeof d === 'number' ? constant(d) : parse(d);
}

function lift(a: Dim, b: Dim, f: (x: Poly, y: Poly) => Poly | undefined): Dim {
  const x = fromDim(a), y = fromDim(b);
  if (!x || !y) return null;
  const r = f(x, y);
  return r ? toDim(r) : null;
}

/** `a + b`. @example dimAdd('past', 'seq') === 'past + seq' */
export function dimAdd(a: Dim, b: Dim): Dim {
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  return lift(a, b, add);
}

/** `a - b`. */
export function dimSub(a: Dim, b: Dim): Dim {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return lift(a, b, (x, y) => add(x, scale(y, -1)));
}

/** `a * b`. @example dimMul('batch', 4) === '4*batch' */
export function dimMul(a: Dim, b: Dim): Dim {
  if (typeof a === 'number' && typeof b === 'number') return a * b;
  if (a === 0 || b === 0) return 0;
  return lift(a, b, mul);
}

/** Product of dims (1 for none). */
export function dimProduct(dims: readonly Dim[]): Dim {
  let p: Dim = 1;
  for (const d of dims) p = dimMul(p, d);
  return p;
}

/**
 * `a / b` when the division is exact, else null. Used by Reshape's `-1`: the element count
 * `64*batch*seq` divided by `batch` is `64*seq`.
 * @example dimDivExact('64*batch*seq', 'batch') === '64*seq'
 */
export function dimDivExact(a: Dim, b: Dim): Dim {
  if (typeof a === 'number' && typeof b === 'number') return b !== 0 && a % b === 0 ? a / b : null;
  return lift(a, b, (x, y) => {
    if (y.size !== 1) return sameDim(toDim(x), toDim(y)) ? constant(1) : undefined;
    const [[kb, cb]] = [...y.entries()] as [[string, number]];
    const out: Poly = new Map();
    for (const [k, c] of x) {
      const q = divKeys(k, kb);
      if (q === undefined || c % cb !== 0) return undefined;
      out.set(q, c / cb);
    }
    return out;
  });
}

/**
 * `floor(a / c)` for a positive integer `c` (integer Div of shape values, pooling output sizes).
 * Exact when every symbolic coefficient is a multiple of `c`; otherwise an opaque `floor(...)`.
 */
export function dimFloorDiv(a: Dim, c: number): Dim {
  return roundedDiv(a, c, Math.floor, 'floor');
}

/** `ceil(a / c)` for a positive integer `c` (SAME padding, ceil_mode pooling, Slice with steps). */
export function dimCeilDiv(a: Dim, c: number): Dim {
  return roundedDiv(a, c, Math.ceil, 'ceil');
}

function roundedDiv(a: Dim, c: number, round: (x: number) => number, name: string): Dim {
  if (a === null || c === 0) return null;
  if (typeof a === 'number') return round(a / c);
  if (c === 1) return a;
  const p = fromDim(a)!;
  const out: Poly = new Map();
  for (const [k, v] of p) {
    if (k === '') continue;
    if (v % c !== 0) return `${name}((${a})/${c})`;
    out.set(k, v / c);
  }
  const rest = round((p.get('') ?? 0) / c);
  return toDim(rest ? add(out, constant(rest)) : out);
}

/** Canonical text of a dim (for equality): `seq + past` and `past+seq` give the same text. */
export function canonicalDim(d: Dim): Dim {
  if (typeof d !== 'string') return d;
  return toDim(parse(d));
}

/** Whether two dims are known to be equal (null is never known equal). */
export function sameDim(a: Dim, b: Dim): boolean {
  if (a === null || b === null) return false;
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  return canonicalDim(a) === canonicalDim(b);
}

/**
 * The number a dim takes when its symbols are bound (e.g. to the sizes of concrete inputs);
 * undefined when the dim is unknown or a symbol is unbound.
 * @example dimValue('past + seq', { past: 4, seq: 3 }) === 7
 */
export function dimValue(d: Dim, env: Readonly<Record<string, number>>): number | undefined {
  if (typeof d === 'number') return d;
  if (d === null) return undefined;
  let sum = 0;
  for (const [k, c] of parse(d)) {
    let term = c;
    for (const s of k ? k.split('*') : []) {
      const v = env[s];
      if (v === undefined) return undefined;
      term *= v;
    }
    sum += term;
  }
  return sum;
}
