/**
 * TFRecord framing, the container of TensorBoard event files
 * (https://www.tensorflow.org/tutorials/load_data/tfrecord#tfrecords_format_details):
 *
 *     uint64 length            little-endian
 *     uint32 masked_crc32c(length)
 *     byte   data[length]
 *     uint32 masked_crc32c(data)
 *
 * CRC-32C is the Castagnoli polynomial (RFC 3720 appendix B.4); the mask
 * `((crc >>> 15) | (crc << 17)) + 0xa282ead8` keeps a CRC of data that itself contains CRCs from
 * being trivially zero (TensorFlow `core/lib/hash/crc32c.h`, `Mask`).
 */
import { NnlensError } from '../errors.ts';

const TABLE = ((): Uint32Array => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1; // reflected 0x1EDC6F41
    t[i] = c >>> 0;
  }
  return t;
})();

/**
 * CRC-32C of `bytes`.
 * @example crc32c(new TextEncoder().encode('123456789')) // 0xe3069283
 */
export function crc32c(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** TFRecord's masked CRC-32C. */
export function maskedCrc32c(bytes: Uint8Array): number {
  const c = crc32c(bytes);
  return ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

/** One record: where its data starts in the file, and the data. */
export interface TfRecord {
  /** 0-based record number. */
  index: number;
  /** Byte offset of the record's length field. */
  offset: number;
  data: Uint8Array;
}

/**
 * Splits TFRecord bytes into records, checking both CRCs of every record. A bad CRC is an error
 * naming the file and the record. A record cut short at the very end is not an error but is
 * returned in `truncatedAt` (a writer may still be appending to it; TensorBoard waits for the rest).
 * @example const { records } = readRecords(readFileSync(path), path);
 */
export function readRecords(bytes: Uint8Array, file: string): { records: TfRecord[]; truncatedAt?: number } {
  const records: TfRecord[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  while (pos < bytes.length) {
    const index = records.length;
    if (pos + 12 > bytes.length) return { records, truncatedAt: pos };
    const lenBytes = bytes.subarray(pos, pos + 8);
    const lenCrc = view.getUint32(pos + 8, true);
    if (maskedCrc32c(lenBytes) !== lenCrc) {
      throw new NnlensError(file, `record ${index} (byte ${pos}): length CRC mismatch (not a TFRecord/event file, or corrupted)`);
    }
    const length = Number(view.getBigUint64(pos, true));
    if (pos + 12 + length + 4 > bytes.length) return { records, truncatedAt: pos };
    const data = bytes.subarray(pos + 12, pos + 12 + length);
    const dataCrc = view.getUint32(pos + 12 + length, true);
    if (maskedCrc32c(data) !== dataCrc) {
      throw new NnlensError(file, `record ${index} (byte ${pos}): data CRC mismatch (corrupted)`);
    }
    records.push({ index, offset: pos, data });
    pos += 12 + length + 4;
  }
  return { records };
}

/**
 * Frames `data` as one TFRecord.
 * @example appendFileSync(path, encodeRecord(eventBytes))
 */
export function encodeRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length + 16);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc32c(data), true);
  return out;
}
