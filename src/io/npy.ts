/**
 * NumPy `.npy` files: reading and writing format versions 1.0, 2.0 and 3.0.
 *
 * Spec: numpy/lib/format.py ("NPY format"): the magic `\x93NUMPY`, a major and a minor version byte,
 * a little-endian header length (uint16 for 1.0, uint32 for 2.0 and 3.0), then an ASCII (1.0, 2.0)
 * or UTF-8 (3.0) Python dict literal `{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3), }`
 * padded with spaces and a final `\n`, then the raw array bytes. NumPy pads the preamble + header to a
 * multiple of 64 bytes so the data can be memory-mapped aligned; we do the same when writing.
 *
 * nnlens uses `.npy` for model inputs (used exactly as given), `--save-raw` outputs and the PyTorch
 * reference fixtures of the zoo. Only C-order arrays of fixed-size numeric dtypes are supported:
 * Fortran order and object/structured dtypes are refused with an {@link NnlensError}, never guessed at.
 */
import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { NnlensError } from '../errors.ts';
import { DTYPE_BYTES, Tensor, allocArray, sizeOf, type DType, type TensorArray } from '../graph/tensor.ts';
import { writeOutput } from './output.ts';

/** The dtypes a `.npy` file can hold in nnlens (every fixed-size numeric DType of the IR). */
export type NpyDType = Exclude<DType, 'string' | 'bfloat16'>;

/** Typed array for the numeric dtypes (64-bit integers as BigInt arrays, bool as 0/1 bytes). */
export type NpyData = Exclude<TensorArray, string[]>;

/** An array read from or to be written to a `.npy` file: C (row-major) order. */
export interface NpyArray {
  dtype: NpyDType;
  shape: number[];
  data: NpyData;
}

/** NumPy's type characters (the `descr` without its byte-order mark) for each dtype. */
const DESCR: Record<NpyDType, string> = {
  float16: 'f2', float32: 'f4', float64: 'f8',
  int8: 'i1', int16: 'i2', int32: 'i4', int64: 'i8',
  uint8: 'u1', uint16: 'u2', uint32: 'u4', uint64: 'u8',
  bool: 'b1',
};
const FROM_DESCR = new Map(Object.entries(DESCR).map(([d, c]) => [c, d as NpyDType]));

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const LITTLE_ENDIAN_HOST = endianness() === 'LE';

/**
 * Reads a `.npy` file.
 * @throws NnlensError naming the file when it is missing, not a .npy, truncated, Fortran-ordered or of an unsupported dtype
 * @example const { dtype, shape, data } = readNpy('input.npy'); // 'float32', [1, 3, 224, 224], Float32Array
 */
export function readNpy(path: string): NpyArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new NnlensError(path, code === 'ENOENT' ? 'no such file' : `cannot read the file (${code ?? String(e)})`);
  }
  return parseNpy(bytes, path);
}

/**
 * Reads a `.npy` file as an IR {@link Tensor} (values already in memory).
 * @example const x = readNpyTensor('input.npy'); x.shape // [1, 3, 224, 224]
 */
export function readNpyTensor(path: string): Tensor {
  const a = readNpy(path);
  return Tensor.of(a.dtype, a.shape, a.data);
}

/**
 * Decodes the bytes of a `.npy` file; `file` names it in errors.
 * @example parseNpy(encodeNpy({ dtype: 'int32', shape: [2], data: new Int32Array([1, 2]) }), 'mem')
 */
export function parseNpy(bytes: Uint8Array, file: string): NpyArray {
  if (bytes.byteLength < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new NnlensError(file, bytes.byteLength < 10 && MAGIC.every((b, i) => i >= bytes.byteLength || bytes[i] === b)
      ? `truncated .npy: the file has only ${bytes.byteLength} bytes`
      : 'not a NumPy .npy file (it does not start with \\x93NUMPY)');
  }
  const major = bytes[6]!;
  if (major < 1 || major > 3) throw new NnlensError(file, `unsupported .npy format version ${major}.${bytes[7]} (1.0, 2.0 and 3.0 are supported)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  if (bytes.byteLength < 8 + lenBytes) throw new NnlensError(file, `truncated .npy: the file has only ${bytes.byteLength} bytes`);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = 8 + lenBytes + headerLen;
  if (dataStart > bytes.byteLength) {
    throw new NnlensError(file, `truncated .npy: the header declares ${headerLen} bytes but the file ends after ${bytes.byteLength - 8 - lenBytes}`);
  }
  // Versions 1 and 2 are latin1 (NumPy writes ASCII); version 3 allows UTF-8 (field names of structured dtypes).
  const headerText = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(8 + lenBytes, dataStart));
  const header = parseHeader(headerText, file);

  const { dtype, swap } = dtypeOf(header.descr, file);
  if (header.fortran_order) {
    throw new NnlensError(file, 'Fortran-ordered (column-major) arrays are not supported: save it with np.ascontiguousarray(a) first');
  }
  const shape = header.shape;
  const n = sizeOf(shape);
  const need = n * DTYPE_BYTES[dtype];
  const have = bytes.byteLength - dataStart;
  if (have < need) {
    throw new NnlensError(file, `truncated .npy: shape [${shape.join(', ')}] of ${dtype} needs ${need} bytes of data but the file has ${have}`);
  }
  const data = allocArray(dtype, n) as NpyData;
  const out = new Uint8Array(data.buffer, data.byteOffset, need);
  out.set(bytes.subarray(dataStart, dataStart + need)); // a copy: the data offset need not be aligned for the typed array
  if (swap) byteSwap(out, DTYPE_BYTES[dtype]);
  return { dtype, shape, data };
}

/**
 * Encodes an array as `.npy` bytes (format 1.0, or 2.0 when the header would not fit in 64 KiB).
 * @example writeFileSync('x.npy', encodeNpy({ dtype: 'float32', shape: [2, 2], data: new Float32Array(4) }))
 */
export function encodeNpy(a: NpyArray): Uint8Array {
  const descr = DESCR[a.dtype];
  if (!descr) throw new Error(`cannot write dtype ${String(a.dtype)} to .npy`);
  for (const d of a.shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`cannot write .npy: invalid shape [${a.shape.join(', ')}]`);
  }
  const n = sizeOf(a.shape);
  if (a.data.length !== n) throw new Error(`cannot write .npy: shape [${a.shape.join(', ')}] needs ${n} values, the data has ${a.data.length}`);
  const order = DTYPE_BYTES[a.dtype] === 1 ? '|' : '<';
  const shapeText = a.shape.length === 1 ? `(${a.shape[0]},)` : `(${a.shape.join(', ')})`;
  const dict = `{'descr': '${order}${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  let major = 1;
  let total = pad64(8 + 2 + dict.length + 1);
  if (total - 10 > 0xffff) { major = 2; total = pad64(8 + 4 + dict.length + 1); }
  const lenBytes = major === 1 ? 2 : 4;
  const headerLen = total - 8 - lenBytes;
  const header = dict + ' '.repeat(headerLen - dict.length - 1) + '\n';

  const dataBytes = n * DTYPE_BYTES[a.dtype];
  const out = new Uint8Array(total + dataBytes);
  out.set(MAGIC, 0);
  out[6] = major;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, headerLen, true);
  else view.setUint32(8, headerLen, true);
  for (let i = 0; i < header.length; i++) out[8 + lenBytes + i] = header.charCodeAt(i);
  const body = out.subarray(total);
  body.set(new Uint8Array(a.data.buffer, a.data.byteOffset, dataBytes));
  if (a.dtype === 'bool') for (let i = 0; i < n; i++) body[i] = body[i] ? 1 : 0;
  if (!LITTLE_ENDIAN_HOST) byteSwap(body, DTYPE_BYTES[a.dtype]);
  return out;
}

/**
 * Writes an array to a `.npy` file atomically (a failure leaves no partial file).
 * @example writeNpy('heat.npy', { dtype: 'float32', shape: [7, 7], data: map })
 */
export function writeNpy(path: string, a: NpyArray): void {
  writeOutput(path, encodeNpy(a));
}

function pad64(n: number): number {
  return Math.ceil(n / 64) * 64;
}

/** Maps a NumPy descr such as `<f4` to a dtype, and says whether the bytes must be swapped. */
function dtypeOf(descr: HeaderValue, file: string): { dtype: NpyDType; swap: boolean } {
  if (typeof descr !== 'string') {
    throw new NnlensError(file, 'structured (record) dtypes are not supported: only plain numeric arrays');
  }
  const m = /^([<>|=]?)([a-zA-Z]\d*)$/.exec(descr);
  const dtype = m ? FROM_DESCR.get(m[2]!) : undefined;
  if (!m || !dtype) {
    const what = m?.[2] === 'O' ? 'object arrays (dtype=object) are not supported' : `dtype '${descr}' is not supported`;
    throw new NnlensError(file, `${what}: use float32, float64, float16, int8/16/32/64, uint8/16/32/64 or bool`);
  }
  const big = m[1] === '>' || (m[1] === '=' && !LITTLE_ENDIAN_HOST);
  return { dtype, swap: DTYPE_BYTES[dtype] > 1 && big === LITTLE_ENDIAN_HOST };
}

function byteSwap(bytes: Uint8Array, size: number): void {
  if (size === 1) return;
  for (let i = 0; i + size <= bytes.byteLength; i += size) bytes.subarray(i, i + size).reverse();
}

// --- the header: a Python dict literal of strings, booleans and tuples of integers -------------

type HeaderValue = string | boolean | number | HeaderValue[];

interface Header {
  descr: HeaderValue;
  fortran_order: boolean;
  shape: number[];
}

/** Parses the header dict. Not `eval`: a tiny tokenizer for exactly what NumPy writes (numpy.lib.format.read_array_header). */
function parseHeader(text: string, file: string): Header {
  const p = new LiteralParser(text, file);
  const v = p.value();
  p.end();
  if (typeof v !== 'object' || Array.isArray(v)) throw p.fail('the header is not a dict');
  const dict = v as Record<string, HeaderValue>;
  for (const key of ['descr', 'fortran_order', 'shape']) {
    if (!(key in dict)) throw p.fail(`the header has no '${key}'`);
  }
  const shape = dict.shape;
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0)) {
    throw p.fail(`'shape' is not a tuple of non-negative integers`);
  }
  if (typeof dict.fortran_order !== 'boolean') throw p.fail(`'fortran_order' is not True or False`);
  return { descr: dict.descr!, fortran_order: dict.fortran_order, shape: shape as number[] };
}

class LiteralParser {
  private i = 0;
  constructor(private readonly s: string, private readonly file: string) {}

  fail(why: string): NnlensError {
    return new NnlensError(this.file, `invalid .npy header (${why}): ${JSON.stringify(this.s.trim().slice(0, 120))}`);
  }

  private ws(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++;
  }

  end(): void {
    this.ws();
    if (this.i !== this.s.length) throw this.fail('unexpected text after the dict');
  }

  value(): HeaderValue | Record<string, HeaderValue> {
    this.ws();
    const c = this.s[this.i];
    if (c === '{') return this.dict();
    if (c === '(' || c === '[') return this.seq(c === '(' ? ')' : ']');
    if (c === "'" || c === '"') return this.str();
    const m = /^(True|False|-?\d+L?)/.exec(this.s.slice(this.i));
    if (!m) throw this.fail(`unexpected ${c === undefined ? 'end' : `'${c}'`} at ${this.i}`);
    this.i += m[1]!.length;
    if (m[1] === 'True' || m[1] === 'False') return m[1] === 'True';
    return Number.parseInt(m[1]!, 10); // Python 2 NumPy wrote longs as `3L`
  }

  private dict(): Record<string, HeaderValue> {
    const out: Record<string, HeaderValue> = {};
    this.i++;
    for (;;) {
      this.ws();
      if (this.s[this.i] === '}') { this.i++; return out; }
      const key = this.value();
      if (typeof key !== 'string') throw this.fail('a dict key is not a string');
      this.ws();
      if (this.s[this.i] !== ':') throw this.fail(`expected ':' at ${this.i}`);
      this.i++;
      out[key] = this.value() as HeaderValue;
      this.sep('}');
    }
  }

  private seq(close: string): HeaderValue[] {
    const out: HeaderValue[] = [];
    this.i++;
    for (;;) {
      this.ws();
      if (this.s[this.i] === close) { this.i++; return out; }
      out.push(this.value() as HeaderValue);
      this.sep(close);
    }
  }

  /** After an item: a comma, or the closing bracket (left for the caller to consume). */
  private sep(close: string): void {
    this.ws();
    if (this.s[this.i] === ',') { this.i++; return; }
    if (this.s[this.i] !== close) throw this.fail(`expected ',' or '${close}' at ${this.i}`);
  }

  private str(): string {
    const q = this.s[this.i]!;
    const end = this.s.indexOf(q, this.i + 1);
    if (end < 0) throw this.fail('unterminated string');
    const v = this.s.slice(this.i + 1, end);
    this.i = end + 1;
    return v;
  }
}
