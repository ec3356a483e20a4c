/**
 * Reusable scratch buffers for streaming a model's weights to ONNX Runtime.
 *
 * Serializing a gradient graph reads every weight once (and computes re-laid-out copies of some).
 * Allocating a fresh buffer per weight leaves glibc's heap holding the freed ones (its mmap
 * threshold rises after the first large free, so later buffers come from a heap that is not
 * returned to the OS). A few
 * grow-only buffers reused for every weight, released once the model is written, avoid that.
 */

const slots = new Map<string, ArrayBuffer>();

/**
 * A scratch byte array of at least `bytes` bytes for `slot`; its contents are valid until the
 * next call for the same slot (or {@link releaseScratch}).
 * @example const buf = scratch('read', 1 << 20)
 */
export function scratch(slot: string, bytes: number): Uint8Array {
  let b = slots.get(slot);
  if (!b || b.byteLength < bytes) {
    // Powers of two from 64 KiB: a model's growing weights reallocate a slot only a few times.
    let size = 1 << 16;
    while (size < bytes) size *= 2;
    b = new ArrayBuffer(size);
    slots.set(slot, b);
  }
  return new Uint8Array(b, 0, bytes);
}

/** Drops every scratch buffer (call when a model has been written out). */
export function releaseScratch(): void { slots.clear(); }
