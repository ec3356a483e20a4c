/**
 * The page's imperative core: owns the training {@link Session}, runs the requestAnimationFrame
 * loop (one epoch per frame while playing, as TF Playground), and redraws canvases, links and
 * numbers directly in the DOM elements React registered, so React only re-renders when the user
 * changes something. React components subscribe to the few facts they show with
 * {@link Trainer.subscribe} (a version number bumped on step, reset, play/pause).
 */
import { sessionData, Session, type SessionData, type SessionStep } from '../../../src/playground/session.ts';
import { changeEffect, type PlaygroundState } from '../../../src/playground/state.ts';
import { divergingCss } from './colors.ts';
import { drawLossChart, drawPoints } from './draw.ts';
import { PlaneGrid, type OutputKind } from './heatmaps.ts';

/** DOM elements the trainer draws into, registered by the components that render them. */
export interface Surfaces {
  /** Neuron thumbnails by `${layer}:${unit}` (layer 0 = inputs by selected-feature index). */
  neurons: Map<string, HTMLCanvasElement>;
  /** Link paths by `${layer}:${to}:${from}` (layer = network layer 1..depth). */
  links: Map<string, SVGPathElement>;
  output?: HTMLCanvasElement;
  points?: HTMLCanvasElement;
  lossChart?: HTMLCanvasElement;
  /** Text elements by name: epoch, trainLoss, testLoss, fps. */
  text: Map<string, HTMLElement>;
}

/** Frames per second over the last second of playing, and the mean time of a frame's own work. */
export interface FrameStats {
  fps: number;
  workMs: number;
}

export class Trainer {
  state: PlaygroundState;
  data: SessionData;
  session: Session;
  playing = false;
  /** The last traced step (step-by-step mode), if any since the last reset. */
  lastStep?: SessionStep;
  /** Why the data could not be built (a bad CSV), shown instead of training. */
  error?: string;
  readonly surfaces: Surfaces = { neurons: new Map(), links: new Map(), text: new Map() };
  private readonly grid = new PlaneGrid();
  private raf = 0;
  private version = 0;
  private readonly listeners = new Set<() => void>();
  private frameTimes: number[] = [];
  private workTimes: number[] = [];
  private linkStyle = new WeakMap<SVGPathElement, string>();

  constructor(state: PlaygroundState) {
    this.state = state;
    ({ data: this.data, error: this.error } = buildData(state));
    this.session = new Session(state, this.data);
    this.grid.bind(this.session.net, this.session.features);
  }

  /** React's useSyncExternalStore subscription. */
  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  /** Changes whenever something React shows changed. */
  getVersion = (): number => this.version;

  private emit(): void {
    this.version++;
    for (const fn of this.listeners) fn();
  }

  /** Applies a new state: regenerates data, rebuilds the network, or applies live, as the state table says. */
  sync(next: PlaygroundState): void {
    const effect = changeEffect(this.state, next);
    this.state = next;
    if (effect === 'data') {
      ({ data: this.data, error: this.error } = buildData(next));
      this.reset();
    } else if (effect === 'network') {
      this.reset();
    } else if (effect === 'live') {
      this.session.applyLive(next);
      this.emit();
    }
    if (next.mode === 'step' && this.playing) this.pause();
    this.drawPoints();
    this.draw();
  }

  /** A new network (fresh weights from the state's seed, epoch 0) on the current data. */
  reset(): void {
    this.session = new Session(this.state, this.data);
    this.grid.bind(this.session.net, this.session.features);
    this.lastStep = undefined;
    this.emit();
    this.draw();
  }

  play(): void {
    if (this.playing || this.error) return;
    this.playing = true;
    this.frameTimes = [];
    this.workTimes = [];
    this.emit();
    this.raf = requestAnimationFrame(this.frame);
  }

  pause(): void {
    if (!this.playing) return;
    this.playing = false;
    cancelAnimationFrame(this.raf);
    this.emit();
  }

  /** Train mode: one epoch. Step-by-step mode: one mini-batch, traced. */
  stepOnce(): void {
    if (this.error) return;
    if (this.state.mode === 'step') {
      this.lastStep = this.session.step(true);
    } else {
      this.session.trainEpoch();
    }
    this.emit();
    this.drawPoints();
    this.draw();
  }

  /** Frames per second while playing, measured over the last second. */
  stats(): FrameStats {
    const t = this.frameTimes;
    const fps = t.length > 1 ? ((t.length - 1) * 1000) / (t[t.length - 1] - t[0]) : 0;
    const w = this.workTimes;
    return { fps, workMs: w.length ? w.reduce((a, b) => a + b, 0) / w.length : 0 };
  }

  private frame = (now: number): void => {
    if (!this.playing) return;
    const t0 = performance.now();
    this.session.trainEpoch();
    this.draw();
    this.workTimes.push(performance.now() - t0);
    this.frameTimes.push(now);
    while (this.frameTimes.length > 1 && now - this.frameTimes[0] > 1000) this.frameTimes.shift();
    if (this.workTimes.length > 60) this.workTimes.shift();
    this.raf = requestAnimationFrame(this.frame);
  };

  /** What the output heatmaps show. */
  outputKind(): OutputKind {
    return { task: this.data.task, classes: this.data.classes, discretize: this.state.discretize };
  }

  /** Redraws everything that depends on the weights: heatmaps, links, losses, epoch. */
  draw(): void {
    const s = this.surfaces;
    if (this.error) {
      this.setText('epoch', '—');
      return;
    }
    this.grid.compute();
    const out = this.outputKind();
    for (const [key, canvas] of s.neurons) {
      const [l, u] = key.split(':').map(Number);
      this.grid.drawNeuron(canvas, l, u, out);
    }
    if (s.output) this.grid.drawOutput(s.output, out);
    this.updateLinks();
    const { history, epoch } = this.session;
    const last = history.train.length ? { train: history.train[history.train.length - 1], test: history.test[history.test.length - 1] } : this.session.losses();
    const loss = this.session.cursor === 0 ? last : this.session.losses();
    this.setText('epoch', String(epoch).padStart(6, '0'), String(epoch));
    this.setText('cursor', this.session.cursor === 0 ? '' : `+ ${Math.ceil(this.session.cursor / Math.max(1, this.state.batchSize))}/${this.session.stepsPerEpoch} mini-batches`);
    this.setText('trainLoss', loss.train.toFixed(3), String(loss.train));
    this.setText('testLoss', loss.test.toFixed(3), String(loss.test));
    if (s.lossChart) drawLossChart(s.lossChart, history);
    if (this.playing) {
      const st = this.stats();
      this.setText('fps', `${st.fps.toFixed(0)} fps · ${st.workMs.toFixed(1)} ms/frame`, st.fps.toFixed(2));
    }
  }

  /** Redraws the data points (they change with the data, the test toggle and the step's batch only). */
  drawPoints(): void {
    const c = this.surfaces.points;
    if (!c || this.error) return;
    const step = this.state.mode === 'step' ? this.lastStep : undefined;
    drawPoints(c, this.data, this.state.showTest, step ? { batch: step.indices, chosen: step.indices[Math.min(this.state.example, step.indices.length - 1)] } : undefined);
  }

  private setText(name: string, text: string, value?: string): void {
    const el = this.surfaces.text.get(name);
    if (!el) return;
    if (el.textContent !== text) el.textContent = text;
    if (value !== undefined) el.dataset.value = value;
  }

  /**
   * Colours and widths of the links. Train mode: the weight (sign by colour, size by width, as
   * TF Playground). Step-by-step: the phase's quantity for the chosen example (value carried,
   * gradient, change), scaled to the largest in the network so small numbers stay visible.
   * Attributes are written only when their rounded value changes, to keep style recalculation
   * off the frames where little moved.
   */
  updateLinks(): void {
    const net = this.session.net;
    const trace = this.state.mode === 'step' ? this.lastStep?.trace : undefined;
    const e = this.lastStep ? Math.min(this.state.example, this.lastStep.indices.length - 1) : 0;
    const value = (l: number, o: number, i: number): number => {
      const L = net.layers[l - 1];
      const idx = L.w + o * L.nIn + i;
      if (!trace) return net.params[idx];
      if (this.state.phase === 'forward') return trace.flow[l][(e * L.nOut + o) * L.nIn + i];
      if (this.state.phase === 'backward') return trace.grad[idx];
      return trace.after[idx] - trace.before[idx];
    };
    let scale = 1;
    if (trace) {
      let m = 0;
      for (const key of this.surfaces.links.keys()) {
        const [l, o, i] = key.split(':').map(Number);
        m = Math.max(m, Math.abs(value(l, o, i)));
      }
      scale = m > 0 ? 1 / m : 1;
    }
    for (const [key, path] of this.surfaces.links) {
      const [l, o, i] = key.split(':').map(Number);
      if (l > net.depth || o >= net.sizes[l] || i >= net.sizes[l - 1]) continue;
      const v = value(l, o, i) * scale;
      // TF Playground: width 1..10 px over |w| in 0..5; step mode uses 1..6 px over the scaled 0..1.
      const width = trace ? 1 + 5 * Math.abs(v) : 1 + (9 * Math.min(Math.abs(v), 5)) / 5;
      const style = `${divergingCss(trace ? v : Math.max(-1, Math.min(1, v)))}|${width.toFixed(1)}`;
      if (this.linkStyle.get(path) === style) continue;
      this.linkStyle.set(path, style);
      const [color, w] = style.split('|');
      path.setAttribute('stroke', color);
      path.setAttribute('stroke-width', w);
    }
  }
}

/** Builds the data of a state, or the error that prevented it (a bad CSV), with an empty dataset. */
function buildData(state: PlaygroundState): { data: SessionData; error?: string } {
  try {
    return { data: sessionData(state) };
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    // A placeholder dataset keeps the rest of the page working while the error is shown.
    return {
      data: { task: 'classification', classes: 2, classNames: ['class 0', 'class 1'], train: [{ x1: 0, x2: 0, label: 0 }, { x1: 1, x2: 1, label: 1 }], test: [{ x1: -1, x2: -1, label: 0 }] },
      error: msg,
    };
  }
}
