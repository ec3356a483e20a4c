/**
 * Lazy bytes fields of the ProtoWriter: a model's weights are produced only while it is written
 * out, in pieces that may share one scratch buffer (src/io/scratch.ts), so streaming and
 * concatenating must copy each piece before asking for the next.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProtoWriter } from '../../src/io/protobuf.ts';

/** A payload produced in pieces written into one shared buffer, like the scratch-based readers. */
function pieces(values: number[], pieceSize: number): () => Iterable<Uint8Array> {
  return function* () {
    const shared = new Uint8Array(pieceSize);
    for (let o = 0; o < values.length; o += pieceSize) {
      const n = Math.min(pieceSize, values.length - o);
      for (let i = 0; i < n; i++) shared[i] = values[o + i]!;
      yield shared.subarray(0, n);
    }
  };
}

test('lazy bytes in shared-buffer pieces encode the same bytes as eager bytes, through finish() and chunks()', () => {
  const payload = Array.from({ length: 1000 }, (_, i) => (i * 7) % 251);
  const eager = new ProtoWriter().int(1, 5).message(2, new ProtoWriter().bytes(9, Uint8Array.from(payload)).string(8, 'w')).finish();
  const lazy = () => new ProtoWriter().int(1, 5).message(2, new ProtoWriter().lazyBytes(9, { length: payload.length, produce: pieces(payload, 64) }).string(8, 'w'));
  assert.deepEqual(lazy().finish(), eager);
  const streamed: number[] = [];
  for (const c of lazy().chunks()) streamed.push(...c); // each piece is copied before the next is produced
  assert.deepEqual(Uint8Array.from(streamed), eager);
});

test('a lazy payload of another length than announced is an error, not a corrupt model', () => {
  const w = new ProtoWriter().lazyBytes(9, { length: 10, produce: () => new Uint8Array(9) });
  assert.throws(() => w.finish(), /produced 9 bytes, 10 were announced/);
  const w2 = new ProtoWriter().lazyBytes(9, { length: 10, produce: pieces(new Array(12).fill(1), 4) });
  assert.throws(() => [...w2.chunks()], /produced 12 bytes, 10 were announced/);
});
