/**
 * The page's imperative core: owns the training {@link Session}, runs the requestAnimationFrame
 * loop (while playing, each frame trains up to one epoch, as TF Playground, then redraws), and
 * draws canvases and numbers directly into the DOM elements React registered, so React only
 * re-renders when the user changes something. React components subscribe to the few facts they
 * show with {@link Trainer.subscribe} (a version number bumped on step, reset, play/pause).
 */
import { sessionData, Session, type SessionData, type SessionStep } from '../../../src/playground/session.ts';
import { changeEffect, type PlaygroundState } from '../../../src/playground/state.ts';
import { drawLossChart, drawPoints } from './draw.ts';
import { clearCanvas, PlaneGrid, type NeuronBox, type OutputKind } from './heatmaps.ts';
import type { LinkLayer } from './links.ts';

/** The network diagram's geometry, set by NetworkView after each layout. */
export interface Diagram {
  boxes: NeuronBox[];
  size: number;
  width: number;
  height: number;
  links: LinkLayer;
}

/** DOM elements the trainer draws into, registered by the components that render them. */
export interface Surfaces {
  /**
   * The diagram's links and neuron heatmaps, on one canvas: links are stroked, then the heatmap
   * squares are put over them. One canvas rather than one per neuron or a links SVG, because in
   * software compositing every layer costs a copy per frame (measured: SVG links cost 14 ms of
   * raster per frame at 6 x 8; a second full-size canvas 4 ms of commit).
   */
  netCanvas?: HTMLCanvasElement;
  output?: HTMLCanvasElement;
  points?: HTMLCanvasElement;
  lossChart?: HTMLCanvasElement;
  /** Text elements by name: epoch, cursor, trainLoss, testLoss, fps. */
  text: Map<string, HTMLElement>;
}

/** Frames per second while playing, and the mean time of a frame's own work. */
export interface FrameStats {
  fps: number;
  workMs: number;
}

/**
 * Longest time a frame spends training, in ms. Small networks finish their epoch well within it
 * (one epoch per frame, as TF Playground); big ones train part of an epoch per frame, so the page
 * keeps drawing instead of freezing.
 */
export const TRAIN_BUDGET_MS = 6;
/**
 * Links redrawn per frame while playing, about: a network with more links redraws them every few
 * frames (the heatmaps still update every frame). Stroking costs about 3 us per link in software
 * rendering, so the 440 links of 6 x 8 take every frame while the 9,500 of 10 x 32 would take 30 ms.
 */
export const LINKS_PER_FRAME = 1500;

export class Trainer {
  state: PlaygroundState;
  data: SessionData;
  session: Session;
  playing = false;
  /** The last traced step (step-by-step mode), if any since the last reset. */
  lastStep?: SessionStep;
  /** Why the data could not be built (a bad CSV), shown instead of training. */
  error?: string;
  readonly surfaces: Surfaces = { text: new Map() };
  diagram?: Diagram;
  private readonly grid = new PlaneGrid();
  private raf = 0;
  private version = 0;
  private readonly listeners = new Set<() => void>();
  private frameTimes: number[] = [];
  private frameNo = 0;
  /** The diagram canvas was cleared or resized: links must be redrawn even if unchanged. */
  private linksStale = true;
  private workTimes: number[] = [];

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
  }

  /** Grid points per side used for the heatmaps of the current network. */
  get gridSide(): number {
    return this.grid.n;
  }

  /** Sets the diagram geometry (after React laid out the network) and redraws. */
  setDiagram(d: Diagram | undefined): void {
    this.diagram = d;
    if (this.surfaces.netCanvas) clearCanvas(this.surfaces.netCanvas);
    this.linksStale = true;
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
    this.draw();
  }

  /** Train mode: the rest of the epoch. Step-by-step mode: one mini-batch, traced. */
  stepOnce(): void {
    if (this.error) return;
    if (this.state.mode === 'step') this.lastStep = this.session.step(true);
    else this.session.trainEpoch();
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
    const s = this.session;
    const epoch = s.epoch;
    do s.step(false);
    while (s.epoch === epoch && performance.now() - t0 < TRAIN_BUDGET_MS);
    this.frameNo++;
    const every = Math.ceil((this.diagram?.links.count ?? 0) / LINKS_PER_FRAME) || 1;
    this.draw(this.frameNo % every === 0);
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

  /**
   * Redraws everything that depends on the weights: heatmaps, links, losses, epoch.
   * @param links false to keep the links drawn last time (big networks, between link frames)
   */
  draw(links = true): void {
    const s = this.surfaces;
    if (this.error) {
      this.setText('epoch', '—');
      return;
    }
    this.grid.compute();
    const out = this.outputKind();
    const d = this.diagram;
    if (d && s.netCanvas && this.diagramCurrent() && (!links || this.drawLinks())) this.grid.drawNeurons(s.netCanvas, d.boxes, d.size, d.width, d.height, out);
    if (s.output) this.grid.drawOutput(s.output, out);
    const { history, epoch, cursor } = this.session;
    // The losses of the last completed epoch while playing (a big network's epoch spans frames,
    // and evaluating all points each frame would cost more than drawing); exact ones when paused.
    const loss = history.train.length && (cursor === 0 || this.playing)
      ? { train: history.train[history.train.length - 1], test: history.test[history.test.length - 1] }
      : this.session.losses();
    this.setText('epoch', String(epoch).padStart(6, '0'), String(epoch));
    s.text.get('epoch')?.setAttribute('data-steps', String(this.session.steps));
    this.setText('cursor', cursor === 0 ? '' : `+ ${Math.ceil(cursor / Math.max(1, Math.min(this.state.batchSize, this.data.train.length)))}/${this.session.stepsPerEpoch} mini-batches`);
    this.setText('trainLoss', loss.train.toFixed(3), String(loss.train));
    this.setText('testLoss', loss.test.toFixed(3), String(loss.test));
    if (s.lossChart) drawLossChart(s.lossChart, history);
    if (this.playing) {
      const st = this.stats();
      this.setText('fps', `${st.fps.toFixed(0)} fps · ${st.workMs.toFixed(1)} ms/frame · heatmaps ${this.grid.n}×${this.grid.n}`, st.fps.toFixed(2));
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

  /** True when the diagram was laid out for the current network (React may not have caught up yet). */
  private diagramCurrent(): boolean {
    return this.diagram?.links.count === this.session.net.layers.reduce((s, L) => s + L.nIn * L.nOut, 0);
  }

  /**
   * The value a link shows. Train mode: its weight. Step-by-step: the phase's quantity for the
   * chosen example: the value carried (w a), the batch gradient, or the change of the weight.
   */
  linkValue(k: number): number {
    const links = this.diagram?.links;
    const net = this.session.net;
    if (!links) return 0;
    const idx = links.param[k];
    const trace = this.state.mode === 'step' ? this.lastStep?.trace : undefined;
    if (!trace) return net.params[idx];
    const l = links.layer[k];
    if (this.state.phase === 'forward') {
      const e = Math.min(this.state.example, trace.n - 1);
      return trace.flow[l][(e * net.sizes[l] + links.to[k]) * net.sizes[l - 1] + links.from[k]];
    }
    if (this.state.phase === 'backward') return trace.grad[idx];
    return trace.after[idx] - trace.before[idx];
  }

  /**
   * Draws the links. Train mode: colour by the weight's sign and size, width 1..10 px over
   * |w| in 0..5 (TF Playground's scales). Step-by-step: the phase's quantity scaled to the
   * largest in the network, so small gradients stay visible. False when the diagram belongs to a
   * previous network (React has not laid out the new one yet).
   */
  drawLinks(): boolean {
    const d = this.diagram;
    const c = this.surfaces.netCanvas;
    if (!d || !c || !this.diagramCurrent()) return false;
    const links = d.links;
    const step = this.state.mode === 'step' && !!this.lastStep?.trace;
    let scale = 1;
    if (step) {
      let m = 0;
      for (let k = 0; k < links.count; k++) m = Math.max(m, Math.abs(this.linkValue(k)));
      scale = m > 0 ? 1 / m : 1;
    }
    links.draw(c, d.width, d.height,
      (k) => this.linkValue(k) * scale,
      step ? (k) => 1 + 5 * Math.abs(this.linkValue(k) * scale) : (k) => 1 + (9 * Math.min(Math.abs(this.linkValue(k)), 5)) / 5,
      this.linksStale);
    this.linksStale = false;
    return true;
  }
}

/** Builds the data of a state, or the error that prevented it (a bad CSV), with a placeholder dataset. */
function buildData(state: PlaygroundState): { data: SessionData; error?: string } {
  try {
    return { data: sessionData(state) };
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    // A placeholder dataset keeps the rest of the page working while the error is shown.
    return {
      data: { task: 'classification', classes: 2, classNames: ['0', '1'], train: [{ x1: 0, x2: 0, label: 0 }, { x1: 1, x2: 1, label: 1 }], test: [{ x1: -1, x2: -1, label: 0 }] },
      error: msg,
    };
  }
}
