import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemorySource } from '../../src/io/bytes.ts';
import { ProtoError, ProtoWriter, decode, decodePacked, readRange, type ByteRange, type ProtoSchema } from '../../src/io/protobuf.ts';

const schema: ProtoSchema = {
  Outer: {
    1: { name: 'id', type: 'int64' },
    2: { name: 'name', type: 'string' },
    3: { name: 'inner', type: 'Inner', repeated: true },
    4: { name: 'blob', type: 'lazy' },
    5: { name: 'vals', type: 'float', repeated: true, lazyPacked: true },
    6: { name: 'ints', type: 'int64', repeated: true },
  },
  Inner: { 1: { name: 'x', type: 'float' } },
};

test('round-trips messages, nested messages, negative int64 and lazy bytes', () => {
  const w = new ProtoWriter().int(1, -5).string(2, 'héllo');
  w.message(3, new ProtoWriter().float(1, 1.5));
  w.message(3, new ProtoWriter().float(1, -2));
  w.bytes(4, new Uint8Array([9, 8, 7]));
  w.packedFloats(5, [1, 2, 3]);
  w.packedInts(6, [1, 300, 70000]);
  w.int(6, 4); // unpacked repeated element after packed ones: both encodings must be accepted
  const src = new MemorySource('mem', w.finish());
  const m = decode(schema, 'Outer', src);
  assert.equal(m.id, -5);
  assert.equal(m.name, 'héllo');
  assert.deepEqual((m.inner as { x: number }[]).map((i) => i.x), [1.5, -2]);
  const blob = m.blob as ByteRange;
  assert.deepEqual([...readRange(blob)], [9, 8, 7]);
  assert.deepEqual(decodePacked(m.vals as ByteRange[], 'float'), [1, 2, 3]);
  assert.deepEqual(m.ints, [1, 300, 70000, 4]);
});

test('truncated input is a ProtoError, not a crash or a silent success', () => {
  const bytes = new ProtoWriter().string(2, 'abcdef').finish();
  assert.throws(() => decode(schema, 'Outer', new MemorySource('m', bytes.subarray(0, bytes.length - 2))), ProtoError);
});
