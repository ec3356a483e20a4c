/**
 * The forward pass of {@link forwardBatch} as a tiny WebAssembly kernel with 128-bit SIMD in
 * float32 (four lanes), for the one place where speed decides: drawing every neuron over the
 * 100 x 100 plane each frame. A 6 x 8 tanh network with 7 features is 3.9 million multiply-adds
 * and 480,000 tanh per frame; on this project's machine scalar JavaScript takes about 10 ms for
 * them (Math.tanh alone 18 ms), the kernel well under 2 ms.
 *
 * Float32 because this is for pixels: the heatmaps agree with the float64 training engine to
 * about 1e-6 (tested), far below one colour level, and four lanes with a short float32 tanh
 * cost about a third of a bit-exact float64 version (measured: tanh 2.8 against 9 ns per value
 * under the same load; that version, two lanes and three divisions per pair, was the frame's
 * largest cost). Training, the losses and every number the step-by-step view shows stay float64.
 *
 * The module is assembled here from its instructions (about 400 bytes) rather than shipped as a
 * binary, so what runs can be read; the WAT of each function is in its comment.
 */
import type { Network } from './network.ts';

/** LEB128 encoding of an unsigned (or non-negative signed) integer. */
function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** Signed LEB128, as i32.const and i64.const immediates require (unsigned 64..127 would read as negative). */
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) { out.push(b); return out; }
    out.push(b | 0x80);
  }
}

/** A section: id, byte length, contents. */
const section = (id: number, body: number[]) => [id, ...leb(body.length), ...body];
/** A vector: count, then items. */
const vec = (items: number[][]) => [...leb(items.length), ...items.flat()];
const str = (s: string) => [...leb(s.length), ...[...s].map((c) => c.charCodeAt(0))];

// Opcodes (WebAssembly core spec 5.4 and the SIMD proposal, now standard).
const I32 = 0x7f, V128 = 0x7b;
const BLOCK = 0x02, LOOP = 0x03, BR = 0x0c, BR_IF = 0x0d, END = 0x0b, VOID = 0x40;
const GET = 0x20, SET = 0x21, TEE = 0x22;
const I32_CONST = 0x41, I32_ADD = 0x6a, I32_MUL = 0x6c, I32_SHL = 0x74, I32_GE_U = 0x4f;
const simd = (op: number) => [0xfd, ...leb(op)];
const V128_LOAD = simd(0), V128_STORE = simd(11);
const F32_LOAD = 0x2a, F32_CONST = 0x43;
const F32X4_SPLAT = simd(19), F32X4_ADD = simd(228), F32X4_SUB = simd(229), F32X4_MUL = simd(230), F32X4_DIV = simd(231);
const F32X4_MIN = simd(232), F32X4_MAX = simd(233), F32X4_NEAREST = simd(106);
const I32X4_TRUNC_SAT_F32X4_S = simd(248), I32X4_ADD = simd(174), I32X4_SHL = simd(171), I32X4_SPLAT = simd(17);
const MEM4 = [2, 0]; // memarg: alignment 2^2, offset 0

/** f32.const v. */
function f32(v: number): number[] {
  return [F32_CONST, ...new Uint8Array(Float32Array.of(v).buffer)];
}

/**
 * `layer(z, a, w, b, nIn, nOut, P)`: one dense layer over P points (a multiple of 16), float32,
 * four accumulators of four lanes so each weight load and loop step serves 16 multiply-adds:
 * ```
 * (func (export "layer") (param $z $a $w $b $nIn $nOut $P i32)
 *   ;; for o < nOut: for q < P step 16: acc0..3 = splat(b[o])
 *   ;;   for i < nIn: acc_j += splat(w[o*nIn+i]) * a[i*P + q + 4j .. +3]   (j = 0..3)
 *   ;;   z[o*P + q + 4j .. +3] = acc_j          (offsets in bytes: index * 4)
 * )
 * ```
 */
function layerFunc(): number[] {
  const [z, a, w, b, nIn, nOut, P, o, q, i, ap, wp, rowBytes, zp, wv] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14];
  const ACC = [15, 16, 17, 18];
  const get = (x: number) => [GET, x];
  const set = (x: number) => [SET, x];
  const c = (n: number) => [I32_CONST, ...sleb(n)];
  const load = (off: number) => [...V128_LOAD, 2, ...leb(off)];
  const body = [
    ...get(P), ...c(2), I32_SHL, ...set(rowBytes),
    ...c(0), ...set(o),
    BLOCK, VOID, LOOP, VOID,
    ...get(o), ...get(nOut), I32_GE_U, BR_IF, 1,
    ...c(0), ...set(q),
    BLOCK, VOID, LOOP, VOID,
    ...get(q), ...get(P), I32_GE_U, BR_IF, 1,
    ...get(b), ...get(o), ...c(2), I32_SHL, I32_ADD, F32_LOAD, ...MEM4, ...F32X4_SPLAT,
    TEE, ACC[0], TEE, ACC[1], TEE, ACC[2], ...set(ACC[3]),
    ...get(a), ...get(q), ...c(2), I32_SHL, I32_ADD, ...set(ap),
    ...get(w), ...get(o), ...get(nIn), I32_MUL, ...c(2), I32_SHL, I32_ADD, ...set(wp),
    ...c(0), ...set(i),
    BLOCK, VOID, LOOP, VOID,
    ...get(i), ...get(nIn), I32_GE_U, BR_IF, 1,
    ...get(wp), F32_LOAD, ...MEM4, ...F32X4_SPLAT, ...set(wv),
    ...ACC.flatMap((acc, j) => [...get(acc), ...get(wv), ...get(ap), ...load(16 * j), ...F32X4_MUL, ...F32X4_ADD, ...set(acc)]),
    ...get(ap), ...get(rowBytes), I32_ADD, ...set(ap),
    ...get(wp), ...c(4), I32_ADD, ...set(wp),
    ...get(i), ...c(1), I32_ADD, ...set(i),
    BR, 0, END, END,
    ...get(z), ...get(o), ...get(rowBytes), I32_MUL, I32_ADD, ...get(q), ...c(2), I32_SHL, I32_ADD, ...set(zp),
    ...ACC.flatMap((acc, j) => [...get(zp), ...get(acc), ...V128_STORE, 2, ...leb(16 * j)]),
    ...get(q), ...c(16), I32_ADD, ...set(q),
    BR, 0, END, END,
    ...get(o), ...c(1), I32_ADD, ...set(o),
    BR, 0, END, END,
    END,
  ];
  return [...vec([[7, I32], [5, V128]]), ...body];
}

/**
 * `tanh(dst, src, n)`: dst = tanh(src) for n values (a multiple of 4), float32, for drawing:
 * x clamped to [-9, 9] (tanh(9) rounds to 1 in float32), e = exp(2x) as 2^k times a degree-6
 * Taylor polynomial of e^r with |r| <= ln2/2 (Cody-Waite reduction, ln2 in two parts), then
 * (e - 1) / (e + 1). Absolute error about 1e-7 (tested).
 */
function tanhFunc(): number[] {
  const [dst, src, n, q] = [0, 1, 2, 3];
  const [x, t2, k, r, p, e, cLo, cHi, cLog2e, cLn2Hi, cLn2Lo, cOne, bias] = [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
  const get = (v: number) => [GET, v];
  const set = (v: number) => [SET, v];
  const c = (v: number) => [I32_CONST, ...sleb(v)];
  const splat = (local: number, v: number) => [...f32(v), ...F32X4_SPLAT, ...set(local)];
  const coef = [1 / 720, 1 / 120, 1 / 24, 1 / 6, 1 / 2, 1, 1];
  const body = [
    ...splat(cLo, -9), ...splat(cHi, 9), ...splat(cLog2e, Math.LOG2E), ...splat(cLn2Hi, 0.693359375), ...splat(cLn2Lo, -2.12194440e-4),
    ...splat(cOne, 1), ...c(127), ...I32X4_SPLAT, ...set(bias),
    ...c(0), ...set(q),
    BLOCK, VOID, LOOP, VOID,
    ...get(q), ...get(n), I32_GE_U, BR_IF, 1,
    // t2 = 2 clamp(x, -9, 9); k = nearest(t2 log2 e); r = t2 - k ln2 (two parts)
    ...get(src), ...get(q), ...c(2), I32_SHL, I32_ADD, ...V128_LOAD, ...MEM4,
    ...get(cLo), ...F32X4_MAX, ...get(cHi), ...F32X4_MIN, ...set(x),
    ...get(x), ...get(x), ...F32X4_ADD, ...set(t2),
    ...get(t2), ...get(cLog2e), ...F32X4_MUL, ...F32X4_NEAREST, ...set(k),
    ...get(t2), ...get(k), ...get(cLn2Hi), ...F32X4_MUL, ...F32X4_SUB, ...get(k), ...get(cLn2Lo), ...F32X4_MUL, ...F32X4_SUB, ...set(r),
    // p = Taylor polynomial of e^r to degree 6 (|r| <= ln2/2: error below float32's epsilon)
    ...f32(coef[0]), ...F32X4_SPLAT,
    ...coef.slice(1).flatMap((cf) => [...get(r), ...F32X4_MUL, ...f32(cf), ...F32X4_SPLAT, ...F32X4_ADD]),
    ...set(p),
    // e = p 2^k; tanh = (e - 1) / (e + 1)
    ...get(p), ...get(k), ...I32X4_TRUNC_SAT_F32X4_S, ...get(bias), ...I32X4_ADD, ...c(23), ...I32X4_SHL, ...F32X4_MUL, ...set(e),
    ...get(dst), ...get(q), ...c(2), I32_SHL, I32_ADD,
    ...get(e), ...get(cOne), ...F32X4_SUB, ...get(e), ...get(cOne), ...F32X4_ADD, ...F32X4_DIV,
    ...V128_STORE, ...MEM4,
    ...get(q), ...c(4), I32_ADD, ...set(q),
    BR, 0, END, END,
    END,
  ];
  return [...vec([[1, I32], [13, V128]]), ...body];
}

/** The module's bytes: functions `layer` and `tanh`, memory `mem`. */
export function kernelBytes(): Uint8Array<ArrayBuffer> {
  const fns = [layerFunc(), tanhFunc()];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([
      [0x60, ...vec(Array.from({ length: 7 }, () => [I32])), 0x00], // type 0: (i32 x7) -> ()
      [0x60, ...vec(Array.from({ length: 3 }, () => [I32])), 0x00], // type 1: (i32 x3) -> ()
    ])),
    ...section(3, vec([[0], [1]])),
    ...section(5, vec([[0x00, 1]])), // memory: min 1 page, no max
    ...section(7, vec([[...str('layer'), 0x00, 0], [...str('tanh'), 0x00, 1], [...str('mem'), 0x02, 0]])),
    ...section(10, vec(fns.map((f) => [...leb(f.length), ...f]))),
  ]);
}

interface Kernel {
  layer(z: number, a: number, w: number, b: number, nIn: number, nOut: number, P: number): void;
  tanh(dst: number, src: number, n: number): void;
  mem: WebAssembly.Memory;
}

let compiled: WebAssembly.Module | null | undefined;

/** The compiled module, or null where WebAssembly SIMD is unavailable (then callers use {@link forwardBatch}). */
function kernelModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(kernelBytes());
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/** Points per pass of the layer kernel: counts must be multiples of it. */
export const WASM_POINT_MULTIPLE = 16;

/**
 * A forward pass over a fixed number of points (a multiple of 16), in float32 WebAssembly. Layer
 * buffers live in the module's memory; `a[l]` and `z[l]` are Float32Array views of them, laid
 * out as in {@link BatchBuffers} (feature-major, `size x count`). Activations other than tanh
 * are applied in JavaScript with the engine's own functions.
 */
export class WasmGrid {
  readonly count: number;
  readonly a: Float32Array[];
  readonly z: Float32Array[];
  private readonly k: Kernel;
  private readonly wOff: number;
  private readonly aOff: number[];
  private readonly zOff: number[];

  /** Null when WebAssembly SIMD is not available or `count` is not a multiple of 16. */
  static create(net: Network, count: number): WasmGrid | null {
    const m = kernelModule();
    if (!m || count % WASM_POINT_MULTIPLE !== 0) return null;
    return new WasmGrid(net, count, m);
  }

  private constructor(readonly net: Network, count: number, module: WebAssembly.Module) {
    this.count = count;
    this.k = new WebAssembly.Instance(module).exports as unknown as Kernel;
    // Layout (bytes, 16-aligned): parameters, then a[0..depth], then z[1..depth].
    const align = (n: number) => Math.ceil(n / 16) * 16;
    let off = 0;
    this.wOff = off;
    off = align(off + net.params.length * 4);
    this.aOff = net.sizes.map((s) => { const o = off; off = align(off + s * count * 4); return o; });
    this.zOff = net.sizes.map((s, l) => { if (l === 0) return 0; const o = off; off = align(off + s * count * 4); return o; });
    const pages = Math.ceil(off / 65536);
    const have = this.k.mem.buffer.byteLength / 65536;
    if (pages > have) this.k.mem.grow(pages - have);
    const buf = this.k.mem.buffer;
    this.a = net.sizes.map((s, l) => new Float32Array(buf, this.aOff[l], s * count));
    this.z = net.sizes.map((s, l) => (l === 0 ? new Float32Array(0) : new Float32Array(buf, this.zOff[l], s * count)));
  }

  /** Runs the points in `a[0]` through the network with its current weights (rounded to float32). */
  forward(): void {
    const net = this.net;
    const P = this.count;
    new Float32Array(this.k.mem.buffer, this.wOff, net.params.length).set(net.params);
    const f = net.activation.f;
    const last = net.depth - 1;
    for (let l = 0; l <= last; l++) {
      const L = net.layers[l];
      this.k.layer(this.zOff[l + 1], this.aOff[l], this.wOff + L.w * 4, this.wOff + L.b * 4, L.nIn, L.nOut, P);
      const z = this.z[l + 1];
      const a = this.a[l + 1];
      if (l === last) a.set(z);
      else if (net.activation.name === 'tanh') this.k.tanh(this.aOff[l + 1], this.zOff[l + 1], z.length);
      else for (let q = 0; q < z.length; q++) a[q] = f(z[q]);
    }
  }
}

/**
 * tanh of every value through the kernel, in float32 (for tests). Null without WebAssembly SIMD.
 * @example wasmTanh(Float32Array.of(0.5, -2, 0, 9)) // about [0.4621172, -0.9640276, 0, 1]
 */
export function wasmTanh(values: Float32Array): Float32Array | null {
  const m = kernelModule();
  if (!m) return null;
  const k = new WebAssembly.Instance(m).exports as unknown as Kernel;
  const n = Math.ceil(values.length / 4) * 4;
  const bytes = n * 4 * 2;
  const have = k.mem.buffer.byteLength;
  if (bytes > have) k.mem.grow(Math.ceil((bytes - have) / 65536));
  new Float32Array(k.mem.buffer, 0, values.length).set(values);
  k.tanh(n * 4, 0, n);
  return new Float32Array(k.mem.buffer, n * 4, values.length).slice();
}
