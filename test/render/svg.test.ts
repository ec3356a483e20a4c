import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compactNumber, escapeXml, fitText, niceTicks, textWidth } from '../../src/render/svg.ts';
import { formatBytes, formatShape } from '../../src/render/format.ts';

test('escaping and text fitting', () => {
  assert.equal(escapeXml(`<a & "b">'`), '&lt;a &amp; &quot;b&quot;&gt;&#39;');
  assert.ok(textWidth('WWW', 12) > textWidth('iii', 12));
  assert.ok(textWidth('Conv', 12, true) > textWidth('Conv', 12));
  const long = '/layer4/layer4.1/downsample/downsample.0/Conv';
  const fit = fitText(long, 120, 11);
  assert.ok(textWidth(fit, 11) <= 120);
  assert.ok(fit.startsWith('/layer') && fit.endsWith('Conv') && fit.includes('\u2026'), fit);
  assert.equal(fitText('short', 200, 11), 'short');
});

test('number formats', () => {
  assert.equal(compactNumber(9248), '9.25K');
  assert.equal(compactNumber(1234567), '1.23M');
  assert.equal(compactNumber(320), '320');
  assert.equal(compactNumber(0), '0');
  assert.equal(compactNumber(-0.5), '-0.5');
  assert.deepEqual(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(-0.93, 0.8, 4), [-0.5, 0, 0.5]);
  assert.equal(formatShape(['batch', 3, null]), '[batch, 3, ?]');
  assert.equal(formatShape(undefined), '?');
  assert.equal(formatBytes(6844), '6.68 KB');
  assert.equal(formatBytes(12), '12 B');
});
