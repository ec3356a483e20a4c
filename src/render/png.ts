/**
 * SVG to PNG with resvg (a maintained Rust SVG renderer, through @resvg/resvg-js).
 *
 * Text needs fonts: nnlens uses DejaVu Sans (Debian's `fonts-dejavu-core`, present on the
 * machines nnlens runs on and installed by `.ci/run` when missing), loaded from its files so that
 * output does not depend on which other fonts a machine has; without it, system fonts are used.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { NnlensError } from '../errors.ts';

const DEJAVU_DIRS = ['/usr/share/fonts/truetype/dejavu', '/usr/share/fonts/dejavu', '/usr/share/fonts/TTF', '/Library/Fonts', 'C:\\Windows\\Fonts'];
const SYSTEM_DIRS = ['/usr/share/fonts', '/usr/local/share/fonts', '/System/Library/Fonts', '/Library/Fonts', 'C:\\Windows\\Fonts'];

let fontCache: { files: string[]; system: boolean } | undefined;

/** The font files nnlens renders with: DejaVu Sans (regular, bold, mono) if present. */
export function diagramFonts(): { files: string[]; system: boolean } {
  if (fontCache) return fontCache;
  const wanted = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf', 'DejaVuSansMono.ttf'];
  for (const dir of DEJAVU_DIRS) {
    if (!existsSync(dir)) continue;
    const files = wanted.map((f) => join(dir, f)).filter((f) => existsSync(f));
    if (files.length) return (fontCache = { files, system: false });
  }
  const anyFonts = SYSTEM_DIRS.some((d) => existsSync(d) && readdirSync(d).length > 0);
  if (!anyFonts) throw new NnlensError('', 'no fonts found to draw text in PNG files; install DejaVu fonts (Debian: apt-get install fonts-dejavu-core) or write .svg');
  return (fontCache = { files: [], system: true });
}

/** Options of {@link svgToPng}. */
export interface PngOptions {
  /** Pixels per SVG unit (default 2, for sharp text); lowered automatically for huge drawings. */
  scale?: number;
  /** Largest side in pixels (default 16384). */
  maxSide?: number;
  /** Largest pixel count (default 64 million). */
  maxPixels?: number;
}

/**
 * The zoom {@link svgToPng} uses for an SVG of `width` x `height` units.
 * @example pngZoom(800, 600) === 2
 */
export function pngZoom(width: number, height: number, o: PngOptions = {}): number {
  const scale = o.scale ?? 2;
  const maxSide = o.maxSide ?? 16384, maxPixels = o.maxPixels ?? 64e6;
  return Math.min(scale, maxSide / Math.max(width, height), Math.sqrt(maxPixels / (width * height)));
}

/**
 * Rasterizes SVG text to PNG bytes. Too-large drawings (that would shrink below a readable 0.35
 * px per unit) are an NnlensError suggesting SVG output.
 * @example writeOutput('d.png', svgToPng(svgText))
 */
export function svgToPng(svg: string, options: PngOptions = {}): Uint8Array {
  const fonts = diagramFonts();
  const { width, height } = svgSize(svg);
  const zoom = pngZoom(width, height, options);
  if (zoom < 0.35) {
    throw new NnlensError('', `drawing is too large for a PNG (${Math.round(width)} x ${Math.round(height)} units); write .svg instead, or collapse groups with --depth`);
  }
  const r = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: zoom },
    font: {
      loadSystemFonts: fonts.system,
      fontFiles: fonts.files,
      defaultFontFamily: fonts.system ? undefined : 'DejaVu Sans',
      sansSerifFamily: fonts.system ? undefined : 'DejaVu Sans',
      monospaceFamily: fonts.system ? undefined : 'DejaVu Sans Mono',
    },
    background: '#ffffff',
    logLevel: 'off',
  });
  return new Uint8Array(r.render().asPng());
}

/** Width and height attributes of the root `<svg>` element. */
export function svgSize(svg: string): { width: number; height: number } {
  const tag = /<svg\b[^>]*>/.exec(svg)?.[0] ?? '';
  const width = Number(/\swidth="([\d.]+)"/.exec(tag)?.[1]);
  const height = Number(/\sheight="([\d.]+)"/.exec(tag)?.[1]);
  if (!(width > 0 && height > 0)) throw new Error('SVG has no numeric width and height');
  return { width, height };
}
