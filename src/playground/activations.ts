/**
 * Activation functions, each with its derivative beside it (STYLE.md 3, as TF Playground's
 * `nn.ts` `{ output, der }` and micrograd's `engine.py`). Every derivative is checked against a
 * central finite difference of `f` in test/playground/gradients.test.ts.
 *
 * Derivatives at a kink (ReLU and leaky ReLU at 0) use the left value, as PyTorch does.
 *
 * `df` receives both z and a = f(z), which training has already computed: tanh' = 1 - a^2 and
 * sigmoid' = a (1 - a) then cost one multiply instead of another exp/tanh call (transcendental
 * calls are most of the cost of a training step on small networks).
 */

/** A scalar activation `f` with its derivative `df`, both as functions of the pre-activation z. */
export interface Activation {
  /** Key used in the URL state and the API. */
  name: ActivationName;
  /** Display name. */
  label: string;
  /** The formula, as shown in the gallery. */
  formula: string;
  f(z: number): number;
  /** f'(z); `a` must be f(z). */
  df(z: number, a: number): number;
}

/** Names of the available activations. */
export type ActivationName =
  | 'relu' | 'tanh' | 'sigmoid' | 'linear' | 'leakyrelu' | 'elu' | 'gelu' | 'softplus' | 'swish';

/** Logistic sigmoid, written so that exp never overflows for large |z|. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** Slope of leaky ReLU for z < 0 (Maas et al. 2013 used 0.01). */
export const LEAKY_SLOPE = 0.01;
/** ELU's alpha (Clevert et al. 2016, arXiv:1511.07289, used alpha = 1). */
export const ELU_ALPHA = 1;
// GELU, tanh approximation: 0.5 z (1 + tanh(sqrt(2/pi) (z + 0.044715 z^3))), Hendrycks & Gimpel
// 2016 (arXiv:1606.08415, section 2). The exact form needs erf, which JavaScript lacks; the
// approximation is what GPT-2 and BERT used and differs from exact GELU by < 1e-3.
const GELU_C = Math.sqrt(2 / Math.PI);
const GELU_K = 0.044715;

const relu: Activation = {
  name: 'relu', label: 'ReLU', formula: 'max(0, z)',
  f: (z) => (z > 0 ? z : 0),
  df: (z) => (z > 0 ? 1 : 0),
};

const tanh: Activation = {
  name: 'tanh', label: 'Tanh', formula: 'tanh(z)',
  f: Math.tanh,
  df: (_z, a) => 1 - a * a,
};

const sigmoidAct: Activation = {
  name: 'sigmoid', label: 'Sigmoid', formula: '1 / (1 + e^-z)',
  f: sigmoid,
  df: (_z, a) => a * (1 - a),
};

const linear: Activation = {
  name: 'linear', label: 'Linear', formula: 'z',
  f: (z) => z,
  df: () => 1,
};

const leakyrelu: Activation = {
  name: 'leakyrelu', label: 'Leaky ReLU', formula: `z > 0 ? z : ${LEAKY_SLOPE} z`,
  f: (z) => (z > 0 ? z : LEAKY_SLOPE * z),
  df: (z) => (z > 0 ? 1 : LEAKY_SLOPE),
};

const elu: Activation = {
  name: 'elu', label: 'ELU', formula: 'z > 0 ? z : e^z - 1',
  // expm1 keeps precision for small negative z, where e^z - 1 would cancel.
  f: (z) => (z > 0 ? z : ELU_ALPHA * Math.expm1(z)),
  df: (z, a) => (z > 0 ? 1 : a + ELU_ALPHA), // alpha e^z = f(z) + alpha for z <= 0
};

const gelu: Activation = {
  name: 'gelu', label: 'GELU', formula: 'z Φ(z) ≈ ½z(1 + tanh(√(2/π)(z + 0.044715z³)))',
  f: (z) => 0.5 * z * (1 + Math.tanh(GELU_C * (z + GELU_K * z * z * z))),
  df: (z) => {
    const t = Math.tanh(GELU_C * (z + GELU_K * z * z * z));
    return 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * GELU_C * (1 + 3 * GELU_K * z * z);
  },
};

const softplus: Activation = {
  name: 'softplus', label: 'Softplus', formula: 'ln(1 + e^z)',
  // log1p(e^z) overflows for large z; there softplus(z) = z + log1p(e^-z).
  f: (z) => (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))),
  df: sigmoid,
};

const swish: Activation = {
  // Swish / SiLU with beta = 1 (Ramachandran et al. 2017, arXiv:1710.05941).
  name: 'swish', label: 'Swish', formula: 'z σ(z)',
  f: (z) => z * sigmoid(z),
  df: (z) => { const s = sigmoid(z); return s + z * s * (1 - s); },
};

/** Every activation, in gallery order (TF Playground's four first). */
export const ACTIVATIONS: readonly Activation[] = [
  relu, tanh, sigmoidAct, linear, leakyrelu, elu, gelu, softplus, swish,
];

/** Activation names, in gallery order. */
export const ACTIVATION_NAMES = ACTIVATIONS.map((a) => a.name) as readonly ActivationName[];

/**
 * The activation with this name.
 * @example activation('tanh').df(0, 0) // 1
 */
export function activation(name: ActivationName): Activation {
  const a = ACTIVATIONS.find((x) => x.name === name);
  if (!a) throw new Error(`unknown activation "${name}" (known: ${ACTIVATION_NAMES.join(', ')})`);
  return a;
}
