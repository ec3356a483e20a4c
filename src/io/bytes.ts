/**
 * Random-access byte sources. Loaders parse through a {@link ByteSource} so that large payloads
 * (weights) can be located without being read: only their offset and length are remembered.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** Read-only random access to a sequence of bytes. */
export interface ByteSource {
  /** Name used in error messages (the file path). */
  readonly name: string;
  readonly length: number;
  /** Returns `length` bytes from `offset`; throws if the range runs past the end. */
  read(offset: number, length: number): Uint8Array;
  /** Copies `out.byteLength` bytes from `offset` into `out` (no allocation). */
  readInto(offset: number, out: Uint8Array): void;
}

/** Bytes already in memory. */
export class MemorySource implements ByteSource {
  constructor(readonly name: string, private readonly bytes: Uint8Array) {}
  get length(): number { return this.bytes.byteLength; }
  read(offset: number, length: number): Uint8Array {
    if (offset < 0 || offset + length > this.bytes.byteLength) {
      throw new RangeError(`read of ${length} bytes at ${offset} runs past the end (${this.bytes.byteLength} bytes)`);
    }
    return this.bytes.subarray(offset, offset + length);
  }
  readInto(offset: number, out: Uint8Array): void { out.set(this.read(offset, out.byteLength)); }
}

/**
 * A file read on demand through a small window cache, so that parsing the structure of a model
 * touches only the bytes of its structure, not of its weights.
 */
export class FileSource implements ByteSource {
  private readonly fd: number;
  readonly length: number;
  private window = new Uint8Array(0);
  private windowStart = 0;
  private static readonly WINDOW = 1 << 16;

  constructor(readonly name: string) {
    this.fd = openSync(name, 'r');
    this.length = fstatSync(this.fd).size;
  }

  read(offset: number, length: number): Uint8Array {
    if (offset < 0 || offset + length > this.length) {
      throw new RangeError(`read of ${length} bytes at ${offset} runs past the end (${this.length} bytes)`);
    }
    const ws = this.windowStart;
    if (offset >= ws && offset + length <= ws + this.window.byteLength) {
      return this.window.subarray(offset - ws, offset - ws + length);
    }
    if (length > FileSource.WINDOW / 2) {
      const out = new Uint8Array(length);
      readFully(this.fd, out, offset);
      return out;
    }
    const size = Math.min(FileSource.WINDOW, this.length - offset);
    const buf = new Uint8Array(size);
    readFully(this.fd, buf, offset);
    this.window = buf;
    this.windowStart = offset;
    return buf.subarray(0, length);
  }

  readInto(offset: number, out: Uint8Array): void {
    if (offset < 0 || offset + out.byteLength > this.length) {
      throw new RangeError(`read of ${out.byteLength} bytes at ${offset} runs past the end (${this.length} bytes)`);
    }
    readFully(this.fd, out, offset);
  }

  /** Closes the file; later reads fail. */
  close(): void { closeSync(this.fd); }
}

function readFully(fd: number, out: Uint8Array, position: number): void {
  let done = 0;
  while (done < out.byteLength) {
    const n = readSync(fd, out, done, out.byteLength - done, position + done);
    if (n === 0) throw new RangeError(`file ended after ${position + done} bytes`);
    done += n;
  }
}
