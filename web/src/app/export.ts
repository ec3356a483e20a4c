/**
 * Exporting any view as SVG or PNG: inline SVG charts are serialized with their styles, pictures
 * the server drew are fetched in the other format (the API renders PNG from the same SVG), and
 * PNG pictures are wrapped in an SVG when SVG is asked for. Files are saved with a download link.
 */

/** Saves a blob under `name`. */
export function download(blob: Blob, name: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

/** A file-name-safe version of a title. */
export function fileName(title: string, ext: string): string {
  return `${title.replace(/[^\w.-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 80) || 'nnlens'}.${ext}`;
}

/** Standalone SVG text of an inline `<svg>` element (sizes, namespace, font). */
export function svgElementText(el: SVGSVGElement): string {
  const clone = el.cloneNode(true) as SVGSVGElement;
  const r = el.getBoundingClientRect();
  const vb = el.viewBox.baseVal;
  const w = vb && vb.width ? vb.width : r.width, h = vb && vb.height ? vb.height : r.height;
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('width', String(Math.round(w)));
  clone.setAttribute('height', String(Math.round(h)));
  clone.style.fontFamily = getComputedStyle(el).fontFamily;
  clone.style.background = '#fff';
  return new XMLSerializer().serializeToString(clone);
}

/** Width and height of an SVG text's root element. */
function svgSize(text: string): { w: number; h: number } {
  const tag = /<svg\b[^>]*>/.exec(text)?.[0] ?? '';
  return { w: Number(/\swidth="([\d.]+)/.exec(tag)?.[1] ?? 800), h: Number(/\sheight="([\d.]+)/.exec(tag)?.[1] ?? 600) };
}

/**
 * Rasterizes SVG text to PNG in the browser (at `scale`, capped at 8k pixels a side).
 * @example download(await svgToPng(text), 'graph.png')
 */
export async function svgToPng(text: string, scale = 2): Promise<Blob> {
  const { w, h } = svgSize(text);
  const k = Math.min(scale, 8192 / Math.max(w, h));
  const img = new Image();
  img.src = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
  await img.decode();
  const c = document.createElement('canvas');
  c.width = Math.max(1, Math.round(w * k));
  c.height = Math.max(1, Math.round(h * k));
  const ctx = c.getContext('2d')!;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, c.width, c.height);
  ctx.drawImage(img, 0, 0, c.width, c.height);
  URL.revokeObjectURL(img.src);
  return new Promise((ok, fail) => c.toBlob((b) => (b ? ok(b) : fail(new Error('PNG encoding failed'))), 'image/png'));
}

/** A PNG (data URI or URL) wrapped in an SVG document of its size. */
export async function pngToSvg(src: string): Promise<Blob> {
  const blob = await (await fetch(src)).blob();
  const data = await new Promise<string>((ok) => { const r = new FileReader(); r.onload = () => ok(String(r.result)); r.readAsDataURL(blob); });
  const img = new Image();
  img.src = data;
  await img.decode();
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${img.naturalWidth}" height="${img.naturalHeight}"><image href="${data}" width="${img.naturalWidth}" height="${img.naturalHeight}"/></svg>`;
  return new Blob([svg], { type: 'image/svg+xml' });
}

/** What a panel can export. */
export type Exportable =
  | { kind: 'svg-element'; el: SVGSVGElement | null }
  | { kind: 'svg-text'; text: () => string | undefined }
  /** A server picture: `url(format)` gives its SVG or PNG. */
  | { kind: 'server'; url: (format: 'svg' | 'png') => string }
  /** A PNG picture (URL or data URI). */
  | { kind: 'png'; src: string };

/**
 * Saves a view as SVG or PNG.
 * @example await exportAs({ kind: 'svg-element', el }, 'svg', 'prediction')
 */
export async function exportAs(x: Exportable, format: 'svg' | 'png', title: string): Promise<void> {
  const name = fileName(title, format);
  switch (x.kind) {
    case 'svg-element': case 'svg-text': {
      const text = x.kind === 'svg-element' ? (x.el ? svgElementText(x.el) : undefined) : x.text();
      if (!text) return;
      download(format === 'svg' ? new Blob([text], { type: 'image/svg+xml' }) : await svgToPng(text), name);
      return;
    }
    case 'server': {
      const r = await fetch(x.url(format));
      if (!r.ok) throw new Error(`export failed: ${r.status}`);
      download(await r.blob(), name);
      return;
    }
    case 'png':
      download(format === 'png' ? await (await fetch(x.src)).blob() : await pngToSvg(x.src), name);
  }
}
