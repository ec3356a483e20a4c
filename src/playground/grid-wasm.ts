/**
 * The dense-layer sums of {@link forwardBatch} as a tiny WebAssembly kernel with 128-bit SIMD
 * (two float64 lanes, four vectors per pass), for the one place where they dominate: drawing every neuron over the
 * 100 x 100 plane each frame (a 6 x 8 network with 7 features is 3.9 million multiply-adds per
 * frame; scalar JavaScript spends 7 to 10 ms on them on this project's machine, the kernel about
 * a fifth of that).
 *
 * Each lane computes bias + w0 a0 + w1 a1 + ... with IEEE float64 multiply and add in the same
 * order as the JavaScript engine (WebAssembly has no fused multiply-add outside relaxed SIMD), so
 * the results are bit-identical to {@link forwardBatch}; test/playground/grid-wasm.test.ts checks
 * this. Activations stay in JavaScript (activations.ts), applied to the kernel's output in place.
 *
 * The module is assembled here from its instructions (about 300 bytes) rather than shipped as a
 * binary, so what runs can be read; the WAT is in the comment of {@link kernelBytes}.
 */
import {
  INV_LN2, LN2_HI, LN2_LO, P1, P2, P3, P4, P5, ROUND_SHIFTER, TANH_ONE, TANH_RATIONAL, TANH_TINY, TP0, TP1, TP2, TQ0, TQ1, TQ2,
} from './fastmath.ts';
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

/** A section: id, byte length, contents. */
const section = (id: number, body: number[]) => [id, ...leb(body.length), ...body];
/** A vector: count, then items. */
const vec = (items: number[][]) => [...leb(items.length), ...items.flat()];
const str = (s: string) => [...leb(s.length), ...[...s].map((c) => c.charCodeAt(0))];

// Opcodes (WebAssembly core spec 5.4 and the SIMD proposal, now standard).
const I32 = 0x7f, F64 = 0x7c, V128 = 0x7b;
const BLOCK = 0x02, LOOP = 0x03, BR = 0x0c, BR_IF = 0x0d, END = 0x0b, VOID = 0x40;
const GET = 0x20, SET = 0x21, TEE = 0x22;
const I32_CONST = 0x41, I32_ADD = 0x6a, I32_MUL = 0x6c, I32_SHL = 0x74, I32_GE_U = 0x4f;
const F64_LOAD = 0x2b, F64_CONST = 0x44, I64_CONST = 0x42;
const simd = (op: number) => [0xfd, ...leb(op)];
const V128_LOAD = simd(0), V128_STORE = simd(11), F64X2_SPLAT = simd(20), F64X2_ADD = simd(240), F64X2_MUL = simd(242);
const F64X2_SUB = simd(241), F64X2_DIV = simd(243), F64X2_ABS = simd(236), F64X2_NEG = simd(237);
const F64X2_LT = simd(73), F64X2_GT = simd(74), F64X2_GE = simd(76), V128_BITSELECT = simd(82);
const I64X2_SPLAT = simd(18), I32X4_TRUNC_SAT_F64X2_S_ZERO = simd(252), I64X2_EXTEND_LOW_I32X4_S = simd(199);
const I64X2_SHL = simd(203), I64X2_ADD = simd(206);

/** f64.const v: the opcode and the 8 little-endian bytes of v. */
function f64(v: number): number[] {
  return [F64_CONST, ...new Uint8Array(Float64Array.of(v).buffer)];
}
const MEM8 = [3, 0]; // memarg: alignment 2^3, offset 0

/**
 * The dense-layer function, in WAT:
 * ```
 * (func (export "layer") (param $z $a $w $b $nIn $nOut $P i32)
 *   ;; for o < nOut: for q < P step 8: acc0..3 = splat(b[o])
 *   ;;   for i < nIn: acc_j += splat(w[o*nIn+i]) * a[i*P + q + 2j .. +1]   (j = 0..3)
 *   ;;   z[o*P + q + 2j .. +1] = acc_j          (all offsets in bytes: index * 8)
 * )
 * (memory (export "mem") 1)
 * ```
 */
function layerFunc(): number[] {
  // Params 0..6: z a w b nIn nOut P. Locals: 7 o, 8 q, 9 i, 10 ap, 11 wp, 12 rowBytes, 13 zp,
  // 14 wv (the splatted weight), 15..18 four accumulators: 8 points per pass of the inner loop, so
  // the weight load and the loop bookkeeping are shared by 8 multiply-adds.
  const [z, a, w, b, nIn, nOut, P, o, q, i, ap, wp, rowBytes, zp, wv] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14];
  const ACC = [15, 16, 17, 18];
  const get = (x: number) => [GET, x];
  const set = (x: number) => [SET, x];
  const c = (n: number) => [I32_CONST, ...leb(n)];
  const load = (off: number) => [...V128_LOAD, 3, ...leb(off)]; // v128.load at ap + off
  const body = [
    ...get(P), ...c(3), I32_SHL, ...set(rowBytes),
    ...c(0), ...set(o),
    BLOCK, VOID, LOOP, VOID,
    ...get(o), ...get(nOut), I32_GE_U, BR_IF, 1,
    ...c(0), ...set(q),
    BLOCK, VOID, LOOP, VOID,
    ...get(q), ...get(P), I32_GE_U, BR_IF, 1,
    // acc0..3 = splat(b[o])
    ...get(b), ...get(o), ...c(3), I32_SHL, I32_ADD, F64_LOAD, ...MEM8, ...F64X2_SPLAT,
    TEE, ACC[0], TEE, ACC[1], TEE, ACC[2], ...set(ACC[3]),
    // ap = a + q*8; wp = w + o*nIn*8; i = 0
    ...get(a), ...get(q), ...c(3), I32_SHL, I32_ADD, ...set(ap),
    ...get(w), ...get(o), ...get(nIn), I32_MUL, ...c(3), I32_SHL, I32_ADD, ...set(wp),
    ...c(0), ...set(i),
    BLOCK, VOID, LOOP, VOID,
    ...get(i), ...get(nIn), I32_GE_U, BR_IF, 1,
    ...get(wp), F64_LOAD, ...MEM8, ...F64X2_SPLAT, ...set(wv),
    // acc_j = acc_j + wv * a[ap + 16 j]
    ...ACC.flatMap((acc, j) => [...get(acc), ...get(wv), ...get(ap), ...load(16 * j), ...F64X2_MUL, ...F64X2_ADD, ...set(acc)]),
    ...get(ap), ...get(rowBytes), I32_ADD, ...set(ap),
    ...get(wp), ...c(8), I32_ADD, ...set(wp),
    ...get(i), ...c(1), I32_ADD, ...set(i),
    BR, 0, END, END,
    // z[o*P + q + 2j] = acc_j
    ...get(z), ...get(o), ...get(rowBytes), I32_MUL, I32_ADD, ...get(q), ...c(3), I32_SHL, I32_ADD, ...set(zp),
    ...ACC.flatMap((acc, j) => [...get(zp), ...get(acc), ...V128_STORE, 3, ...leb(16 * j)]),
    ...get(q), ...c(8), I32_ADD, ...set(q),
    BR, 0, END, END,
    ...get(o), ...c(1), I32_ADD, ...set(o),
    BR, 0, END, END,
    END,
  ];
  return [...vec([[7, I32], [5, V128]]), ...body];
}

/**
 * `tanh(dst, src, n)`: dst[q] = fastTanh(src[q]) for q < n (n even), two lanes at a time. Both
 * branches of fastTanh (fastmath.ts) are computed and the lane's result is selected, with the
 * same IEEE operations in the same order, so every lane equals the JavaScript function bit for
 * bit. In the exp branch 2|x| <= 88, so 2^k (k <= 127) is built from its exponent bits without
 * fastExp's overflow and subnormal cases; lanes where those would matter are selected away.
 */
function tanhFunc(): number[] {
  // Params 0 dst, 1 src, 2 n; locals: 3 q (i32); v128 from 4 on.
  const [dst, src, n, q] = [0, 1, 2, 3];
  const names = ['x', 'z', 'e2', 'k', 'hi', 'lo', 'r', 't', 'c', 'y', 'e', 'tb', 's', 'rat', 'neg',
    'cInvLn2', 'cShift', 'cLn2Hi', 'cLn2Lo', 'cP1', 'cP2', 'cP3', 'cP4', 'cP5', 'cOne', 'cTwo', 'cBias',
    'cTP0', 'cTP1', 'cTP2', 'cTQ0', 'cTQ1', 'cTQ2', 'cTiny', 'cRat', 'cBig', 'cMinusOne'] as const;
  const V = Object.fromEntries(names.map((nm, j) => [nm, 4 + j])) as Record<(typeof names)[number], number>;
  const get = (x: number) => [GET, x];
  const set = (x: number) => [SET, x];
  const c = (v: number) => [I32_CONST, ...leb(v)];
  const splat = (local: number, v: number) => [...f64(v), ...F64X2_SPLAT, ...set(local)];
  // Binary operation on two locals / expressions.
  const bin = (a: number[], b: number[], op: number[]) => [...a, ...b, ...op];
  const L = (x: number) => get(x);
  const body = [
    ...splat(V.cInvLn2, INV_LN2), ...splat(V.cShift, ROUND_SHIFTER), ...splat(V.cLn2Hi, LN2_HI), ...splat(V.cLn2Lo, LN2_LO),
    ...splat(V.cP1, P1), ...splat(V.cP2, P2), ...splat(V.cP3, P3), ...splat(V.cP4, P4), ...splat(V.cP5, P5),
    ...splat(V.cOne, 1), ...splat(V.cTwo, 2), ...splat(V.cMinusOne, -1),
    I64_CONST, ...leb(1023), ...I64X2_SPLAT, ...set(V.cBias),
    ...splat(V.cTP0, TP0), ...splat(V.cTP1, TP1), ...splat(V.cTP2, TP2), ...splat(V.cTQ0, TQ0), ...splat(V.cTQ1, TQ1), ...splat(V.cTQ2, TQ2),
    ...splat(V.cTiny, TANH_TINY), ...splat(V.cRat, TANH_RATIONAL), ...splat(V.cBig, TANH_ONE),
    ...c(0), ...set(q),
    BLOCK, VOID, LOOP, VOID,
    ...get(q), ...get(n), I32_GE_U, BR_IF, 1,
    // x = src[q]; z = |x|; neg = x < 0
    ...get(src), ...get(q), ...c(3), I32_SHL, I32_ADD, ...V128_LOAD, ...MEM8, ...set(V.x),
    ...L(V.x), ...F64X2_ABS, ...set(V.z),
    ...L(V.x), ...f64(0), ...F64X2_SPLAT, ...F64X2_LT, ...set(V.neg),
    // fastExp(2z): e2 = z + z; k = (e2 * INV_LN2 + SHIFT) - SHIFT
    ...bin(L(V.z), L(V.z), F64X2_ADD), ...set(V.e2),
    ...bin(bin(bin(L(V.e2), L(V.cInvLn2), F64X2_MUL), L(V.cShift), F64X2_ADD), L(V.cShift), F64X2_SUB), ...set(V.k),
    ...bin(L(V.e2), bin(L(V.k), L(V.cLn2Hi), F64X2_MUL), F64X2_SUB), ...set(V.hi),
    ...bin(L(V.k), L(V.cLn2Lo), F64X2_MUL), ...set(V.lo),
    ...bin(L(V.hi), L(V.lo), F64X2_SUB), ...set(V.r),
    ...bin(L(V.r), L(V.r), F64X2_MUL), ...set(V.t),
    // c = r - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))))
    ...bin(L(V.r), bin(L(V.t),
      bin(L(V.cP1), bin(L(V.t), bin(L(V.cP2), bin(L(V.t), bin(L(V.cP3), bin(L(V.t), bin(L(V.cP4), bin(L(V.t), L(V.cP5), F64X2_MUL), F64X2_ADD), F64X2_MUL), F64X2_ADD), F64X2_MUL), F64X2_ADD), F64X2_MUL), F64X2_ADD),
      F64X2_MUL), F64X2_SUB), ...set(V.c),
    // y = 1 - ((lo - (r * c) / (2 - c)) - hi)
    ...bin(L(V.cOne), bin(bin(L(V.lo), bin(bin(L(V.r), L(V.c), F64X2_MUL), bin(L(V.cTwo), L(V.c), F64X2_SUB), F64X2_DIV), F64X2_SUB), L(V.hi), F64X2_SUB), F64X2_SUB), ...set(V.y),
    // e = y * 2^k, 2^k = bits((k + 1023) << 52)
    ...L(V.y),
    ...L(V.k), ...I32X4_TRUNC_SAT_F64X2_S_ZERO, ...I64X2_EXTEND_LOW_I32X4_S, ...L(V.cBias), ...I64X2_ADD, ...c(52), ...I64X2_SHL,
    ...F64X2_MUL, ...set(V.e),
    // tb = 1 - 2 / (e + 1), negated where x < 0
    ...bin(L(V.cOne), bin(L(V.cTwo), bin(L(V.e), L(V.cOne), F64X2_ADD), F64X2_DIV), F64X2_SUB), ...set(V.tb),
    ...L(V.tb), ...F64X2_NEG, ...L(V.tb), ...L(V.neg), ...V128_BITSELECT, ...set(V.tb),
    // rational: s = x * x; rat = x + (x * s * ((TP0 * s + TP1) * s + TP2)) / (((s + TQ0) * s + TQ1) * s + TQ2)
    ...bin(L(V.x), L(V.x), F64X2_MUL), ...set(V.s),
    ...bin(L(V.x), bin(
      bin(bin(L(V.x), L(V.s), F64X2_MUL), bin(bin(bin(L(V.cTP0), L(V.s), F64X2_MUL), L(V.cTP1), F64X2_ADD), L(V.s), F64X2_MUL).concat(L(V.cTP2), F64X2_ADD), F64X2_MUL),
      bin(bin(bin(bin(L(V.s), L(V.cTQ0), F64X2_ADD), L(V.s), F64X2_MUL), L(V.cTQ1), F64X2_ADD), L(V.s), F64X2_MUL).concat(L(V.cTQ2), F64X2_ADD),
      F64X2_DIV), F64X2_ADD), ...set(V.rat),
    // result = z > 44 ? (x < 0 ? -1 : 1) : z >= 0.625 ? tb : z < tiny ? x : rat
    ...get(dst), ...get(q), ...c(3), I32_SHL, I32_ADD,
    ...L(V.cMinusOne), ...L(V.cOne), ...L(V.neg), ...V128_BITSELECT,
    ...L(V.tb),
    ...L(V.x), ...L(V.rat), ...L(V.z), ...L(V.cTiny), ...F64X2_LT, ...V128_BITSELECT,
    ...L(V.z), ...L(V.cRat), ...F64X2_GE, ...V128_BITSELECT,
    ...L(V.z), ...L(V.cBig), ...F64X2_GT, ...V128_BITSELECT,
    ...V128_STORE, ...MEM8,
    ...get(q), ...c(2), I32_ADD, ...set(q),
    BR, 0, END, END,
    END,
  ];
  return [...vec([[1, I32], [names.length, V128]]), ...body];
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

/**
 * A forward pass over a fixed, even number of points, with the sums in WebAssembly. Layer
 * buffers live in the module's memory; `a[l]` and `z[l]` are Float64Array views of them, laid
 * out as in {@link BatchBuffers} (feature-major, `size x count`).
 */
export class WasmGrid {
  readonly count: number;
  readonly a: Float64Array[];
  readonly z: Float64Array[];
  private readonly k: Kernel;
  private readonly wOff: number;
  private readonly aOff: number[];
  private readonly zOff: number[];

  /** Null when WebAssembly SIMD is not available or `count` is not a multiple of 8. */
  static create(net: Network, count: number): WasmGrid | null {
    const m = kernelModule();
    if (!m || count % 8 !== 0) return null;
    return new WasmGrid(net, count, m);
  }

  private constructor(readonly net: Network, count: number, module: WebAssembly.Module) {
    this.count = count;
    const inst = new WebAssembly.Instance(module);
    this.k = inst.exports as unknown as Kernel;
    // Layout (bytes, 16-aligned): parameters, then a[0..depth], then z[1..depth].
    const align = (n: number) => Math.ceil(n / 16) * 16;
    let off = 0;
    this.wOff = off;
    off = align(off + net.params.length * 8);
    this.aOff = net.sizes.map((s) => { const o = off; off = align(off + s * count * 8); return o; });
    this.zOff = net.sizes.map((s, l) => { if (l === 0) return 0; const o = off; off = align(off + s * count * 8); return o; });
    const pages = Math.ceil(off / 65536);
    const have = this.k.mem.buffer.byteLength / 65536;
    if (pages > have) this.k.mem.grow(pages - have);
    const buf = this.k.mem.buffer;
    this.a = net.sizes.map((s, l) => new Float64Array(buf, this.aOff[l], s * count));
    this.z = net.sizes.map((s, l) => (l === 0 ? new Float64Array(0) : new Float64Array(buf, this.zOff[l], s * count)));
  }

  /** Runs the points in `a[0]` through the network with its current weights. */
  forward(): void {
    const net = this.net;
    const P = this.count;
    new Float64Array(this.k.mem.buffer, this.wOff, net.params.length).set(net.params);
    const f = net.activation.f;
    const last = net.depth - 1;
    for (let l = 0; l <= last; l++) {
      const L = net.layers[l];
      this.k.layer(this.zOff[l + 1], this.aOff[l], this.wOff + L.w * 8, this.wOff + L.b * 8, L.nIn, L.nOut, P);
      const z = this.z[l + 1];
      const a = this.a[l + 1];
      if (l === last) a.set(z);
      else if (net.activation.name === 'tanh') this.k.tanh(this.aOff[l + 1], this.zOff[l + 1], z.length);
      else for (let q = 0; q < z.length; q++) a[q] = f(z[q]);
    }
  }
}

/**
 * fastTanh of every value through the kernel (for tests and one-off use; the grid calls the
 * kernel on its own memory). Null without WebAssembly SIMD.
 * @example wasmTanh(Float64Array.of(0.5, -2)) // same bits as [fastTanh(0.5), fastTanh(-2)]
 */
export function wasmTanh(values: Float64Array): Float64Array | null {
  const m = kernelModule();
  if (!m) return null;
  const k = new WebAssembly.Instance(m).exports as unknown as Kernel;
  const n = values.length + (values.length % 2);
  const bytes = n * 8 * 2;
  const have = k.mem.buffer.byteLength;
  if (bytes > have) k.mem.grow(Math.ceil((bytes - have) / 65536));
  new Float64Array(k.mem.buffer, 0, values.length).set(values);
  k.tanh(n * 8, 0, n);
  return new Float64Array(k.mem.buffer, n * 8, values.length).slice();
}
