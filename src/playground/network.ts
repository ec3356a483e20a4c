/**
 * A fully connected network: any number of hidden layers of any width with one activation, and a
 * linear output layer whose pre-activations are the regression outputs or the class logits (the
 * loss applies softmax, see losses.ts).
 *
 * All weights and biases live in one flat Float64Array so that optimizers, the trace's
 * before/after copies and finite-difference tests treat them as one vector. Layer `l` (0-based,
 * from the inputs) owns `nOut * nIn` weights at `w`, row-major by output neuron (weight from input
 * `i` to neuron `o` is `params[w + o * nIn + i]`), then `nOut` biases at `b`.
 */
import { activation, type Activation, type ActivationName } from './activations.ts';
import { loss, type Loss, type LossName } from './losses.ts';
import type { Rng } from './random.ts';

/** Where one layer's parameters are in the flat vector. */
export interface LayerShape {
  nIn: number;
  nOut: number;
  /** Offset of the first weight. */
  w: number;
  /** Offset of the first bias. */
  b: number;
}

/** What defines a network's shape and functions. */
export interface NetworkSpec {
  /** Number of inputs (selected features). */
  inputs: number;
  /** Width of each hidden layer; may be empty (a linear model). */
  hidden: readonly number[];
  /** Number of outputs: 1 for regression, the number of classes for classification. */
  outputs: number;
  activation: ActivationName;
  loss: LossName;
}

/** Bias of hidden neurons at initialisation: TF Playground's 0.1 keeps ReLU units active at the start. */
export const HIDDEN_BIAS_INIT = 0.1;

/** A fully connected network with its parameters. */
export class Network {
  /** Layer widths from the inputs to the outputs. */
  readonly sizes: readonly number[];
  readonly layers: readonly LayerShape[];
  readonly params: Float64Array;
  /** Activation of the hidden layers (the output layer is linear). */
  readonly activation: Activation;
  readonly loss: Loss;

  /**
   * A network with all parameters zero; use {@link Network.init} for a trainable one.
   * @example new Network({ inputs: 2, hidden: [4, 2], outputs: 2, activation: 'tanh', loss: 'softmax-ce' })
   */
  constructor(readonly spec: NetworkSpec) {
    if (spec.inputs < 1) throw new Error('a network needs at least one input feature');
    if (spec.hidden.some((h) => !(Number.isInteger(h) && h >= 1))) throw new Error(`hidden layer widths must be positive integers, got [${spec.hidden.join(', ')}]`);
    this.sizes = [spec.inputs, ...spec.hidden, spec.outputs];
    const layers: LayerShape[] = [];
    let off = 0;
    for (let l = 1; l < this.sizes.length; l++) {
      const nIn = this.sizes[l - 1];
      const nOut = this.sizes[l];
      layers.push({ nIn, nOut, w: off, b: off + nIn * nOut });
      off += nIn * nOut + nOut;
    }
    this.layers = layers;
    this.params = new Float64Array(off);
    this.activation = activation(spec.activation);
    this.loss = loss(spec.loss);
  }

  /**
   * A network with Glorot-uniform weights, U(-sqrt(6/(fanIn+fanOut)), +sqrt(...)) (Glorot &
   * Bengio 2010, eq. 16), which keeps activations from exploding or vanishing at depth 10 x 32
   * where TF Playground's U(-0.5, 0.5) does; hidden biases {@link HIDDEN_BIAS_INIT}, output biases 0.
   */
  static init(spec: NetworkSpec, rng: Rng): Network {
    const net = new Network(spec);
    net.layers.forEach((L, l) => {
      const lim = Math.sqrt(6 / (L.nIn + L.nOut));
      for (let i = 0; i < L.nIn * L.nOut; i++) net.params[L.w + i] = rng.uniform(-lim, lim);
      const last = l === net.layers.length - 1;
      for (let o = 0; o < L.nOut; o++) net.params[L.b + o] = last ? 0 : HIDDEN_BIAS_INIT;
    });
    return net;
  }

  /** Number of layers with parameters (hidden layers + output layer). */
  get depth(): number {
    return this.layers.length;
  }

  /** Index in {@link params} of the weight from input `i` to neuron `o` of layer `l`. */
  weightIndex(l: number, o: number, i: number): number {
    const L = this.layers[l];
    return L.w + o * L.nIn + i;
  }

  /** Index in {@link params} of the bias of neuron `o` of layer `l`. */
  biasIndex(l: number, o: number): number {
    return this.layers[l].b + o;
  }

  /** True when `index` in {@link params} is a weight (regularized), false for a bias. */
  isWeight(index: number): boolean {
    return this.layers.some((L) => index >= L.w && index < L.b);
  }

  /** A copy with the same spec and parameters. */
  clone(): Network {
    const n = new Network(this.spec);
    n.params.set(this.params);
    return n;
  }
}
