/**
 * Draw a digit: a square canvas with a thick round white brush on black (MNIST's polarity), sent
 * to the server as a PNG at the model's input size when the stroke ends. The server preprocesses
 * it exactly as it would a digit file (same loader), so drawing and uploading agree.
 */
import { useEffect, useRef } from 'react';

/** Props of {@link DrawCanvas}. */
export interface DrawCanvasProps {
  /** Model input size (28 for MNIST). */
  size: number;
  onDrawn(png: Blob): void;
}

const SIDE = 224;

export function DrawCanvas({ size, onDrawn }: DrawCanvasProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const last = useRef<[number, number] | undefined>(undefined);
  const dirty = useRef(false);

  const clear = () => {
    const ctx = canvas.current?.getContext('2d');
    if (!ctx) return;
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, SIDE, SIDE);
  };
  useEffect(clear, []);

  const point = (e: React.PointerEvent<HTMLCanvasElement>): [number, number] => {
    const r = e.currentTarget.getBoundingClientRect();
    return [((e.clientX - r.left) * SIDE) / r.width, ((e.clientY - r.top) * SIDE) / r.height];
  };
  const stroke = (to: [number, number]) => {
    const ctx = canvas.current?.getContext('2d');
    if (!ctx) return;
    // A brush about 2.5 input pixels wide, like an MNIST pen stroke.
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = (SIDE / size) * 2.4;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    const from = last.current ?? to;
    ctx.moveTo(from[0], from[1]);
    ctx.lineTo(to[0], to[1]);
    ctx.stroke();
    last.current = to;
    dirty.current = true;
  };
  const finish = () => {
    last.current = undefined;
    if (!dirty.current || !canvas.current) return;
    dirty.current = false;
    // Downscale to the input size with the browser's smoothing (area-like averaging), as a scanned digit.
    const small = document.createElement('canvas');
    small.width = size; small.height = size;
    const ctx = small.getContext('2d')!;
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(canvas.current, 0, 0, size, size);
    small.toBlob((b) => { if (b) onDrawn(b); }, 'image/png');
  };

  return (
    <div className="draw">
      <canvas ref={canvas} width={SIDE} height={SIDE} data-testid="draw-canvas"
        onPointerDown={(e) => { e.currentTarget.setPointerCapture(e.pointerId); last.current = undefined; stroke(point(e)); }}
        onPointerMove={(e) => { if (e.buttons & 1) stroke(point(e)); }}
        onPointerUp={finish} onPointerCancel={finish} />
      <button onClick={clear} data-testid="draw-clear">Clear</button>
    </div>
  );
}
