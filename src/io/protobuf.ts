/**
 * A small schema-driven Protocol Buffers codec (wire format: https://protobuf.dev/programming-guides/encoding/).
 *
 * Why not a generated codec: ONNX weights live in `TensorProto.raw_data` (and packed `float_data`),
 * and a model must open without reading them. Fields typed `lazy` here decode to a
 * {@link ByteRange} (offset + length in the {@link ByteSource}) instead of bytes. The encoder
 * keeps references to byte arrays and concatenates once, so re-serializing a 100 MB model for
 * ONNX Runtime copies its weights once.
 */
import type { ByteSource } from './bytes.ts';

/** Scalar field kinds. `lazy` is a bytes field decoded as a {@link ByteRange}. */
export type ScalarKind =
  | 'int32' | 'int64' | 'uint64' | 'bool' | 'enum' | 'float' | 'double' | 'string' | 'bytes' | 'lazy';

/** One field of a message schema. */
export interface FieldSpec {
  name: string;
  /** A scalar kind, or the name of a message in the same {@link ProtoSchema}. */
  type: ScalarKind | string;
  repeated?: boolean;
  /** Packed repeated numerics that may be large (TensorProto float_data...): kept as ranges. */
  lazyPacked?: boolean;
}

/** Messages by name; each maps field numbers to specs. */
export type ProtoSchema = Record<string, Record<number, FieldSpec>>;

/** Bytes left in the source: where they are, not what they are. */
export interface ByteRange {
  source: ByteSource;
  offset: number;
  length: number;
}

/** A decoded message: plain fields, repeated fields as arrays. */
export type Message = Record<string, unknown>;

const SCALARS = new Set(['int32', 'int64', 'uint64', 'bool', 'enum', 'float', 'double', 'string', 'bytes', 'lazy']);
const textDecoder = new TextDecoder('utf-8');

/** Thrown when the bytes are not a valid encoding; the loader adds the file name. */
export class ProtoError extends Error {}

/** Cursor over a region of a ByteSource. */
class Cursor {
  constructor(readonly src: ByteSource, public pos: number, readonly end: number) {}

  byte(): number {
    if (this.pos >= this.end) throw new ProtoError(`truncated protobuf: a field runs past byte ${this.end}`);
    return this.src.read(this.pos++, 1)[0]!;
  }

  /** Varint as a JS number (exact up to 2^53). */
  varint(): number {
    let result = 0, mul = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
    }
    throw new ProtoError('malformed varint');
  }

  /** Varint as a signed 64-bit value folded into a JS number (two's complement for negatives). */
  int64(): number {
    const start = this.pos;
    const v = this.varint();
    if (v < 2 ** 53) return v;
    // Large or negative: redo exactly with BigInt (negatives are 10-byte two's complement varints).
    let big = 0n, shift = 0n;
    for (let p = start; p < this.pos; p++) {
      big |= BigInt(this.src.read(p, 1)[0]! & 0x7f) << shift;
      shift += 7n;
    }
    return Number(BigInt.asIntN(64, big));
  }

  bytes(n: number): Uint8Array {
    if (n < 0 || this.pos + n > this.end) throw new ProtoError(`truncated protobuf: ${n} bytes announced at ${this.pos}, only ${this.end - this.pos} left`);
    const b = this.src.read(this.pos, n);
    this.pos += n;
    return b;
  }

  skip(n: number): void {
    if (n < 0 || this.pos + n > this.end) throw new ProtoError(`truncated protobuf: ${n} bytes announced at ${this.pos}, only ${this.end - this.pos} left`);
    this.pos += n;
  }
}

/**
 * Decodes the message `type` of `schema` from `src` (whole source, or `[offset, offset+length)`).
 * Unknown fields are skipped, as protobuf requires.
 * @example decode(ONNX_SCHEMA, 'ModelProto', new FileSource('model.onnx'))
 */
export function decode(schema: ProtoSchema, type: string, src: ByteSource, offset = 0, length = src.length - offset): Message {
  return decodeAt(schema, type, new Cursor(src, offset, offset + length));
}

function decodeAt(schema: ProtoSchema, type: string, c: Cursor): Message {
  const fields = schema[type];
  if (!fields) throw new Error(`schema has no message ${type}`);
  const msg: Message = {};
  while (c.pos < c.end) {
    const tag = c.varint();
    const no = Math.floor(tag / 8), wire = tag & 7;
    if (no === 0) throw new ProtoError(`invalid field number 0 at byte ${c.pos}`);
    const spec = fields[no];
    if (!spec) { skipField(c, wire); continue; }
    if (spec.repeated && wire === 2 && isPackable(spec.type)) {
      const n = c.varint();
      if (spec.lazyPacked) {
        const range: ByteRange = { source: c.src, offset: c.pos, length: n };
        c.skip(n);
        push(msg, spec.name, range);
      } else {
        const sub = new Cursor(c.src, c.pos, c.pos + n);
        c.skip(n);
        while (sub.pos < sub.end) push(msg, spec.name, readScalar(sub, spec.type, wireOf(spec.type)));
      }
      continue;
    }
    const value = readValue(schema, spec, c, wire);
    if (spec.repeated) push(msg, spec.name, value);
    else msg[spec.name] = value;
  }
  if (c.pos !== c.end) throw new ProtoError(`truncated protobuf: message ${type} overruns its length`);
  return msg;
}

function push(msg: Message, name: string, value: unknown): void {
  const list = msg[name] as unknown[] | undefined;
  if (list) list.push(value); else msg[name] = [value];
}

function isPackable(type: string): boolean {
  return type !== 'string' && type !== 'bytes' && type !== 'lazy' && SCALARS.has(type);
}

function wireOf(type: string): number {
  if (type === 'float') return 5;
  if (type === 'double') return 1;
  if (SCALARS.has(type) && type !== 'string' && type !== 'bytes' && type !== 'lazy') return 0;
  return 2;
}

function readValue(schema: ProtoSchema, spec: FieldSpec, c: Cursor, wire: number): unknown {
  if (!SCALARS.has(spec.type)) {
    if (wire !== 2) throw new ProtoError(`field ${spec.name}: expected a message, got wire type ${wire}`);
    const n = c.varint();
    if (c.pos + n > c.end) throw new ProtoError(`truncated protobuf: ${spec.name} announces ${n} bytes, only ${c.end - c.pos} left`);
    const sub = new Cursor(c.src, c.pos, c.pos + n);
    c.skip(n);
    return decodeAt(schema, spec.type, sub);
  }
  if (wire !== wireOf(spec.type)) throw new ProtoError(`field ${spec.name}: wire type ${wire} does not fit ${spec.type}`);
  return readScalar(c, spec.type, wire);
}

function readScalar(c: Cursor, type: string, _wire: number): unknown {
  switch (type) {
    case 'int32': case 'enum': { const v = c.int64(); return v; }
    case 'int64': return c.int64();
    case 'uint64': return c.varint();
    case 'bool': return c.varint() !== 0;
    case 'float': { const b = c.bytes(4); return new DataView(b.buffer, b.byteOffset, 4).getFloat32(0, true); }
    case 'double': { const b = c.bytes(8); return new DataView(b.buffer, b.byteOffset, 8).getFloat64(0, true); }
    case 'string': return textDecoder.decode(c.bytes(c.varint()));
    case 'bytes': return c.bytes(c.varint()).slice();
    case 'lazy': { const n = c.varint(); const r: ByteRange = { source: c.src, offset: c.pos, length: n }; c.skip(n); return r; }
  }
  throw new Error(`unknown scalar ${type}`);
}

function skipField(c: Cursor, wire: number): void {
  switch (wire) {
    case 0: c.varint(); return;
    case 1: c.skip(8); return;
    case 2: c.skip(c.varint()); return;
    case 5: c.skip(4); return;
    default: throw new ProtoError(`invalid wire type ${wire} at byte ${c.pos}`);
  }
}

/** Reads the bytes a {@link ByteRange} points at. */
export function readRange(r: ByteRange): Uint8Array {
  return r.source.read(r.offset, r.length);
}

/** Decodes packed numerics stored in ranges (lazy packed fields). */
export function decodePacked(ranges: ByteRange[], type: 'float' | 'double' | 'int32' | 'int64' | 'uint64'): number[] {
  const out: number[] = [];
  for (const r of ranges) {
    const c = new Cursor(r.source, r.offset, r.offset + r.length);
    while (c.pos < c.end) out.push(readScalar(c, type, wireOf(type)) as number);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Encoding

/**
 * A bytes field whose payload is produced only when the message is written out (and dropped right
 * after): a model's weights, so that serializing never holds a copy of all of them at once.
 */
export interface LazyBytes {
  readonly length: number;
  /** The payload, whole or in pieces (each piece may be overwritten once the next is requested). */
  produce(): Uint8Array | Iterable<Uint8Array>;
}

/** Builds a message as a list of byte parts; nested messages are appended without copying. */
export class ProtoWriter {
  readonly parts: (Uint8Array | LazyBytes)[] = [];
  length = 0;
  private scratch: number[] = [];

  private flush(): void {
    if (this.scratch.length) {
      const b = Uint8Array.from(this.scratch);
      this.parts.push(b);
      this.length += b.byteLength;
      this.scratch = [];
    }
  }

  private varintRaw(v: number): void {
    if (v < 0) {
      // negative int64: two's complement over 10 bytes
      let big = BigInt.asUintN(64, BigInt(Math.trunc(v)));
      for (let i = 0; i < 10; i++) {
        const b = Number(big & 0x7fn);
        big >>= 7n;
        if (big === 0n) { this.scratch.push(b); return; }
        this.scratch.push(b | 0x80);
      }
      return;
    }
    while (v >= 0x80) { this.scratch.push((v % 128) | 0x80); v = Math.floor(v / 128); }
    this.scratch.push(v);
  }

  private tag(no: number, wire: number): void { this.varintRaw(no * 8 + wire); }

  /** Writes a varint field (int32, int64, enum, bool). */
  int(no: number, v: number | boolean): this { this.tag(no, 0); this.varintRaw(typeof v === 'boolean' ? (v ? 1 : 0) : v); return this; }

  /** Writes a float32 field. */
  float(no: number, v: number): this {
    this.tag(no, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    for (const x of b) this.scratch.push(x);
    return this;
  }

  /** Writes a string field. */
  string(no: number, s: string): this { return this.bytes(no, new TextEncoder().encode(s)); }

  /** Writes a bytes field, keeping a reference to `b` (not copied until {@link finish}). */
  bytes(no: number, b: Uint8Array): this { return this.part(no, b, b.byteLength); }

  /**
   * Writes a bytes field of known length whose payload is produced by {@link chunks} or
   * {@link finish}, not now; producing a different length is an error.
   */
  lazyBytes(no: number, b: LazyBytes): this { return this.part(no, b, b.length); }

  /** A length-delimited field whose payload is kept as its own part. */
  private part(no: number, p: Uint8Array | LazyBytes, length: number): this {
    this.tag(no, 2);
    this.varintRaw(length);
    this.flush();
    this.parts.push(p);
    this.length += length;
    return this;
  }

  /** Writes a packed repeated varint field. */
  packedInts(no: number, values: readonly number[]): this {
    const w = new ProtoWriter();
    for (const v of values) w.varintRaw(v);
    w.flush();
    return this.message(no, w);
  }

  /** Writes a packed repeated float field. */
  packedFloats(no: number, values: readonly number[]): this {
    const f = Float32Array.from(values);
    return this.bytes(no, new Uint8Array(f.buffer));
  }

  /** Writes a nested message. */
  message(no: number, w: ProtoWriter): this {
    w.flush();
    this.tag(no, 2);
    this.varintRaw(w.length);
    this.flush();
    for (const p of w.parts) this.parts.push(p);
    this.length += w.length;
    return this;
  }

  /**
   * The encoded message as a sequence of byte chunks, producing lazy payloads one at a time, so a
   * caller can stream a large model to a file holding one weight in memory at a time.
   */
  *chunks(): Generator<Uint8Array> {
    this.flush();
    for (const p of this.parts) {
      if (p instanceof Uint8Array) { yield p; continue; }
      const b = p.produce();
      let n = 0;
      for (const piece of b instanceof Uint8Array ? [b] : b) { n += piece.byteLength; yield piece; }
      if (n !== p.length) throw new Error(`lazy bytes field produced ${n} bytes, ${p.length} were announced`);
    }
  }

  /** Concatenates all parts into one array. */
  finish(): Uint8Array {
    this.flush();
    const out = new Uint8Array(this.length);
    let o = 0;
    for (const p of this.chunks()) { out.set(p, o); o += p.byteLength; }
    return out;
  }
}
