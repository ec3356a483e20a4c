/**
 * The server's safety rules (issue 6, "Safety"), each against a real request: it binds 127.0.0.1;
 * it refuses a foreign Host header (DNS rebinding) and foreign origins; it sends no CORS headers;
 * it serves only its own files and the models it opened (no traversal, no listing); it limits
 * request and upload sizes.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { allowedHosts } from '../../src/server/security.ts';
import { staticFile } from '../../src/server/static.ts';
import { startServer, type NnlensServer } from '../../src/server/server.ts';
import { ZOO_FIXTURES } from '../helpers/zoo.ts';

let s: NnlensServer;
let web: string;
let port: number;

before(async () => {
  web = mkdtempSync(join(tmpdir(), 'nnlens-web-'));
  mkdirSync(join(web, 'assets'));
  writeFileSync(join(web, 'index.html'), '<!doctype html><title>app</title>');
  writeFileSync(join(web, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(web, 'single.html'), '<!doctype html><script type="module">console.log(2)</script>');
  writeFileSync(join(tmpdir(), 'nnlens-secret.txt'), 'secret');
  s = await startServer({ models: [join(ZOO_FIXTURES, 'gap_cnn', 'model.onnx')], webRoot: web, maxUpload: 4096 });
  port = Number(new URL(s.url).port);
});

after(async () => {
  await s?.close();
  rmSync(web, { recursive: true, force: true });
});

interface Answer { status: number; headers: Record<string, string | string[] | undefined>; body: string }

/** A raw request: the path is sent as written (no URL normalization), headers as given. */
function raw(method: string, path: string, headers: Record<string, string> = {}, body?: Buffer | string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' || e.code === 'EPIPE' ? resolve({ status: 0, headers: {}, body: e.code }) : reject(e)));
    if (body !== undefined) req.end(body); else req.end();
  });
}

test('binds 127.0.0.1 by default', () => {
  const addr = s.server.address();
  assert.ok(addr && typeof addr === 'object');
  assert.equal(addr.address, '127.0.0.1');
  assert.equal(s.url, `http://127.0.0.1:${port}/`);
});

test('refuses a Host header that is not this server (DNS rebinding)', async () => {
  const evil = await raw('GET', '/api/models', { host: `evil.example:${port}` });
  assert.equal(evil.status, 421);
  assert.match(evil.body, /DNS rebinding/);
  assert.equal((await raw('GET', '/', { host: `evil.example:${port}` })).status, 421, 'pages too');
  assert.equal((await raw('GET', '/api/models', { host: '127.0.0.1:1' })).status, 421, 'another port');
  assert.equal((await raw('GET', '/api/models', { host: `localhost:${port}` })).status, 200);
  assert.equal((await raw('GET', '/api/models', { host: `[::1]:${port}` })).status, 200);
  assert.ok(!allowedHosts('127.0.0.1', 80).has('evil.example:80'));
  assert.ok(allowedHosts('0.0.0.0', 80).has('127.0.0.1:80'));
});

test('refuses requests from other origins and cross-site API calls', async () => {
  const post = await raw('POST', '/api/uploads', { origin: 'http://evil.example', 'content-type': 'text/plain' }, 'x');
  assert.equal(post.status, 403);
  assert.equal((await raw('GET', '/api/models', { origin: 'http://evil.example' })).status, 403);
  assert.equal((await raw('GET', '/api/models', { origin: 'null' })).status, 403, 'sandboxed frames and file:// pages');
  assert.equal((await raw('GET', '/api/models', { 'sec-fetch-site': 'cross-site' })).status, 403);
  assert.equal((await raw('GET', '/api/models', { origin: `http://127.0.0.1:${port}`, 'sec-fetch-site': 'same-origin' })).status, 200);
  // A link from another site may still open the app itself.
  assert.equal((await raw('GET', '/', { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' })).status, 200);
});

test('sends no CORS headers, even when asked', async () => {
  for (const a of [
    await raw('GET', '/api/models', { origin: `http://127.0.0.1:${port}` }),
    await raw('OPTIONS', '/api/models', { origin: 'http://evil.example', 'access-control-request-method': 'POST' }),
    await raw('GET', '/'),
  ]) {
    for (const h of Object.keys(a.headers)) assert.ok(!h.startsWith('access-control-'), `${h} in ${a.status} answer`);
  }
  const page = await raw('GET', '/');
  assert.match(String(page.headers['content-security-policy']), /default-src 'self'/);
  assert.doesNotMatch(/script-src ([^;]*)/.exec(String(page.headers['content-security-policy']))![1]!, /'unsafe-inline'|'unsafe-eval'/);
  assert.equal(page.headers['x-content-type-options'], 'nosniff');
  // A self-contained page (the playground) may run its own inline script, by hash, and only that one.
  const single = await raw('GET', '/single.html');
  const script = /script-src ([^;]*)/.exec(String(single.headers['content-security-policy']))![1]!;
  assert.match(script, /'sha256-[A-Za-z0-9+/]+=*'/);
  assert.doesNotMatch(script, /'unsafe-inline'|'unsafe-eval'/);
});

test('serves only its own files: no traversal, no listing, no model files', async () => {
  assert.equal((await raw('GET', '/')).status, 200);
  assert.equal((await raw('GET', '/assets/app.js')).status, 200);
  for (const p of ['/../nnlens-secret.txt', '/assets/../../nnlens-secret.txt', '/%2e%2e/nnlens-secret.txt', '/assets/%2e%2e%2f%2e%2e%2fnnlens-secret.txt',
    '/..%5cnnlens-secret.txt', '/%00index.html', '/assets/', '/assets', `/${join(tmpdir(), 'nnlens-secret.txt')}`, '//etc/passwd']) {
    const a = await raw('GET', p);
    assert.equal(a.status, 404, `${p} -> ${a.status}`);
    assert.ok(!a.body.includes('secret') || a.body.includes('not found'), p);
  }
  assert.equal(staticFile(web, '/../nnlens-secret.txt'), undefined);
  // The API names models and samples by id: a path is never opened.
  assert.equal((await raw('GET', '/api/models/m1/sample?id=model.onnx')).status, 404);
  assert.equal((await raw('GET', '/api/models/m1/sample?id=..%2F..%2Fetc%2Fpasswd')).status, 404);
  const bad = await raw('POST', '/api/models/m1/inputs', { 'content-type': 'application/json' }, JSON.stringify({ sample: '../tabular_mlp/input.npy' }));
  assert.equal(bad.status, 404);
});

test('limits request and upload sizes', async () => {
  const up = JSON.parse((await raw('POST', '/api/uploads', { 'content-type': 'application/json' }, '{}')).body) as { id: string };
  const big = await raw('PUT', `/api/uploads/${up.id}/files/big.onnx`, { 'content-type': 'application/octet-stream' }, Buffer.alloc(5000));
  assert.ok(big.status === 413 || big.status === 0, `status ${big.status}`);
  if (big.status === 413) assert.match(big.body, /limit of/);
  const small = await raw('PUT', `/api/uploads/${up.id}/files/a.bin`, {}, Buffer.alloc(3000));
  assert.equal(small.status, 201);
  const second = await raw('PUT', `/api/uploads/${up.id}/files/b.bin`, {}, Buffer.alloc(3000));
  assert.equal(second.status, 413, 'the limit is for all files of an upload together');
  const dir = readdirSync(join(tmpdir())).filter((n) => n.startsWith('nnlens-serve-')).map((n) => join(tmpdir(), n, 'uploads', up.id)).find(existsSync);
  if (dir) assert.deepEqual(readdirSync(dir), ['a.bin'], 'refused files are removed');
  for (const name of ['..%2Fevil.onnx', '.hidden', 'a%2Fb.onnx', '%2Ftmp%2Fx']) {
    const a = await raw('PUT', `/api/uploads/${up.id}/files/${name}`, {}, 'x');
    assert.equal(a.status, 400, `${name} -> ${a.status}`);
  }
  const json = await raw('POST', '/api/models/m1/inputs', { 'content-type': 'application/json' }, `{"row":{"a":"${'x'.repeat(1.1 * 2 ** 20)}"}}`);
  assert.ok(json.status === 413 || json.status === 0, `JSON body over 1 MB -> ${json.status}`);
});
