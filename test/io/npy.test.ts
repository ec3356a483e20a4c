import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { NnlensError } from '../../src/errors.ts';
import { encodeNpy, parseNpy, readNpy, readNpyTensor, writeNpy, type NpyArray } from '../../src/io/npy.ts';
import { ROOT } from '../helpers/shared.ts';

const NPY = join(ROOT, 'test', 'fixtures', 'npy'); // written by NumPy (test/fixtures/npy/make.py)
const ZOO = join(ROOT, 'test', 'fixtures', 'zoo'); // written by make-zoo (scripts/zoo-fixtures.sh)
const f = (name: string): string => join(NPY, name);
const z = (model: string, file: string): string => join(ZOO, model, file);

/** Value at a C-order multi-index. */
function at(a: NpyArray, ...idx: number[]): number {
  let flat = 0;
  for (let i = 0; i < idx.length; i++) flat = flat * a.shape[i]! + idx[i]!;
  return Number(a.data[flat]);
}

function sum(a: NpyArray): number {
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += Number(a.data[i]);
  return s;
}

// Figures printed by /usr/bin/python3 with NumPy 1.24 from the same files (np.load, then
// a[idx].item() / a.astype(np.float64).sum()).
test('reads the zoo fixtures with the shapes and values NumPy gives', () => {
  const x = readNpy(z('gap_cnn', 'input.npy'));
  assert.equal(x.dtype, 'float32');
  assert.deepEqual(x.shape, [1, 1, 28, 28]);
  assert.ok(x.data instanceof Float32Array);
  assert.equal(x.data[0], Math.fround(0.4882274270057678));
  assert.equal(x.data[x.data.length - 1], Math.fround(-0.7540656924247742));
  assert.ok(Math.abs(sum(x) - 1.898076114594005) < 1e-5);

  const act = readNpy(z('gap_cnn', 'act.npy'));
  assert.deepEqual(act.shape, [1, 32, 7, 7]);
  assert.equal(at(act, 0, 14, 5, 3), Math.fround(0.341388463973999)); // NumPy's argmax: C order is kept
  assert.ok(Math.abs(sum(act) - 68.19646604638547) < 1e-4);

  const logits = readNpy(z('gap_cnn', 'logits.npy'));
  assert.deepEqual(logits.shape, [1, 10]);
  assert.equal(at(logits, 0, 2), Math.fround(0.18630656599998474));
  const target = (JSON.parse(readFileSync(join(ZOO, 'zoo.json'), 'utf8')) as Record<string, { target: number }>).gap_cnn!.target;
  assert.equal(target, 2);

  assert.deepEqual(readNpy(z('tabular_mlp', 'input.npy')).shape, [1, 8]);
  const seq = readNpy(z('seq_lstm', 'input.npy'));
  assert.deepEqual(seq.shape, [1, 5, 6]);
  assert.equal(at(seq, 0, 3, 4), Math.fround(-1.9018336534500122));
  const vit = readNpy(z('small_vit', 'input.npy'));
  assert.deepEqual(vit.shape, [1, 3, 32, 32]);
  assert.equal(at(vit, 0, 2, 10, 17), Math.fround(0.9865462183952332));
  const g = readNpy(z('small_vit', 'grad_input.npy'));
  assert.ok(Math.abs(sum(g) - 2.3617813173186732) < 1e-4);
});

test('every zoo fixture array has the shape its zoo.json row implies', () => {
  const rows = JSON.parse(readFileSync(join(ZOO, 'zoo.json'), 'utf8')) as Record<string, { input_shape: number[]; cam_layer: string | null }>;
  assert.deepEqual(Object.keys(rows).sort(), ['gap_cnn', 'seq_lstm', 'small_vit', 'tabular_mlp']);
  for (const [name, row] of Object.entries(rows)) {
    assert.deepEqual(readNpy(z(name, 'input.npy')).shape, row.input_shape, name);
    assert.deepEqual(readNpy(z(name, 'grad_input.npy')).shape, row.input_shape, name);
    assert.equal(readNpy(z(name, 'logits.npy')).shape[0], 1, name);
    const files = readdirSync(join(ZOO, name));
    assert.equal(files.includes('act.npy') && files.includes('grad_act.npy'), row.cam_layer !== null, name);
    if (row.cam_layer) assert.deepEqual(readNpy(z(name, 'act.npy')).shape, readNpy(z(name, 'grad_act.npy')).shape);
  }
});

test('reads every dtype NumPy writes, in format versions 1, 2 and 3 and big-endian', () => {
  const quarters = [-0.75, -0.5, -0.25, 0, 0.25, 0.5];
  for (const name of ['f4.npy', 'v2.npy', 'v3.npy', 'be-f4.npy']) {
    const a = readNpy(f(name));
    assert.equal(a.dtype, 'float32', name);
    assert.deepEqual(a.shape, [2, 3], name);
    assert.deepEqual([...a.data], quarters, name);
  }
  const f8 = readNpy(f('f8.npy'));
  assert.ok(f8.data instanceof Float64Array);
  assert.deepEqual([...f8.data], quarters);
  const i8 = readNpy(f('i8.npy'));
  assert.equal(i8.dtype, 'int64');
  assert.deepEqual([...i8.data], [-(2n ** 40n), -1n, 0n, 1n, 2n, 2n ** 53n + 1n]); // exact beyond 2^53
  assert.deepEqual([...readNpy(f('i4.npy')).data], [-7, 0, 7, 2 ** 31 - 1]);
  const u1 = readNpy(f('u1.npy'));
  assert.equal(u1.dtype, 'uint8');
  assert.deepEqual([...u1.data], [0, 1, 128, 255]);
  const b1 = readNpy(f('b1.npy'));
  assert.equal(b1.dtype, 'bool');
  assert.deepEqual([...b1.data], [1, 0, 1]);
  const f2 = readNpyTensor(f('f2.npy'));
  assert.equal(f2.dtype, 'float16');
  assert.deepEqual([...f2.float32()], [1.5, -2, 65504]);
  const s = readNpy(f('scalar.npy'));
  assert.deepEqual(s.shape, []);
  assert.deepEqual([...s.data], [3.25]);
  const e = readNpy(f('empty.npy'));
  assert.deepEqual(e.shape, [0, 4]);
  assert.equal(e.data.length, 0);
});

test('refuses Fortran order, object and record dtypes, truncation and non-npy files, naming the file', () => {
  const cases: [string, RegExp][] = [
    ['fortran.npy', /Fortran-ordered/],
    ['object.npy', /object arrays/],
    ['record.npy', /structured/],
    ['truncated.npy', /truncated \.npy: shape \[2, 3\] of float32 needs 24 bytes of data but the file has 19/],
    ['make.py', /not a NumPy \.npy file/],
    ['missing.npy', /no such file/],
  ];
  for (const [name, re] of cases) {
    assert.throws(() => readNpy(f(name)), (err: unknown) => {
      assert.ok(err instanceof NnlensError, name);
      assert.equal(err.file, f(name));
      assert.match(err.message, re);
      assert.ok(err.message.startsWith(f(name)), 'the message names the file');
      return true;
    });
  }
  const whole = readFileSync(f('f4.npy'));
  for (const cut of [3, 9, 40]) {
    assert.throws(() => parseNpy(whole.subarray(0, cut), 'cut.npy'), /cut\.npy: truncated \.npy/, `cut at ${cut}`);
  }
});

test('written files are byte-identical to what NumPy writes, and round-trip', () => {
  // NumPy's own f4.npy: same header text, same 64-byte alignment, same data.
  const mine = encodeNpy({ dtype: 'float32', shape: [2, 3], data: new Float32Array([-0.75, -0.5, -0.25, 0, 0.25, 0.5]) });
  assert.deepEqual(Buffer.from(mine), readFileSync(f('f4.npy')));
  assert.deepEqual(Buffer.from(encodeNpy(readNpy(f('i4.npy')))), readFileSync(f('i4.npy'))); // 1-D shape `(4,)`
  assert.deepEqual(Buffer.from(encodeNpy(readNpy(f('u1.npy')))), readFileSync(f('u1.npy'))); // `|u1`
  assert.deepEqual(Buffer.from(encodeNpy(readNpy(f('scalar.npy')))), readFileSync(f('scalar.npy'))); // shape `()`
  const zooInput = readFileSync(z('small_vit', 'input.npy'));
  assert.deepEqual(Buffer.from(encodeNpy(parseNpy(zooInput, 'x'))), zooInput);

  const dir = mkdtempSync(join(tmpdir(), 'nnlens-npy-'));
  try {
    const arrays: NpyArray[] = [
      { dtype: 'float64', shape: [3], data: new Float64Array([1e-300, -2, Math.PI]) },
      { dtype: 'int64', shape: [2, 1], data: new BigInt64Array([-(2n ** 62n), 5n]) },
      { dtype: 'bool', shape: [2], data: new Uint8Array([7, 0]) }, // any non-zero byte is True
      { dtype: 'float32', shape: [0], data: new Float32Array(0) },
    ];
    for (const [i, a] of arrays.entries()) {
      const p = join(dir, `a${i}.npy`);
      writeNpy(p, a);
      const b = readNpy(p);
      assert.equal(b.dtype, a.dtype);
      assert.deepEqual(b.shape, a.shape);
      assert.deepEqual([...b.data], a.dtype === 'bool' ? [1, 0] : [...a.data]);
      assert.equal((readFileSync(p).byteLength - b.data.byteLength) % 64, 0, 'data starts 64-byte aligned');
    }
    assert.throws(() => writeNpy(join(dir, 'bad.npy'), { dtype: 'float32', shape: [2, 2], data: new Float32Array(3) }), /needs 4 values/);
    assert.equal(existsSync(join(dir, 'bad.npy')), false, 'no file is left behind on failure');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// Only arrays with thousands of dimensions need it (NumPy itself caps ndim at 32), but the spec says
// so; NumPy's numpy.lib.format.read_array_header_2_0 parses this very header (checked by hand).
test('a header too long for format 1.0 is written as format 2.0', () => {
  const shape = Array.from({ length: 12000 }, () => 1); // `(1, 1, ...)`: about 36 KB of text per 12000 dims
  const big = [...shape, ...shape];
  const bytes = encodeNpy({ dtype: 'uint8', shape: big, data: new Uint8Array([42]) });
  assert.equal(bytes[6], 2);
  const back = parseNpy(bytes, 'big.npy');
  assert.equal(back.shape.length, 24000);
  assert.deepEqual([...back.data], [42]);
});
