/**
 * Toy datasets on the plane [-6, 6]^2, generated with a seeded {@link Rng}. The four
 * classification sets and two regression sets follow TF Playground's `dataset.ts` (same radii,
 * noise model and label rules) so that results are comparable; gaussian blobs and the spiral also
 * take a number of classes (2 reproduces TF Playground, 3+ needs the softmax output).
 *
 * Labels: for classification a class index 0..K-1 (TF Playground's -1 is class 0, +1 is class 1);
 * for regression a value in about [-1, 1].
 */
import { Rng } from './random.ts';

/** One data point. */
export interface Point {
  x1: number;
  x2: number;
  label: number;
}

/** What the labels mean. */
export type Task = 'classification' | 'regression';

/** A generator of points. */
export interface DatasetGenerator {
  name: DatasetName;
  label: string;
  task: Task;
  /** True when the generator accepts a number of classes other than 2. */
  multiclass: boolean;
  /** Number of points TF Playground generates for this task (500 to classify, 1200 to regress). */
  samples: number;
  /**
   * @param n number of points
   * @param noise 0 (none) to 0.5 (TF Playground's 50%)
   * @param classes number of classes (only read when `multiclass`)
   */
  generate(n: number, noise: number, rng: Rng, classes: number): Point[];
}

/** Built-in dataset names. */
export type DatasetName = 'circle' | 'xor' | 'gauss' | 'spiral' | 'plane' | 'multigauss';

/** Half the side of the input plane; every built-in point lies in [-DOMAIN, DOMAIN]^2. */
export const DOMAIN = 6;

const circle: DatasetGenerator = {
  name: 'circle', label: 'Circle', task: 'classification', multiclass: false, samples: 500,
  generate(n, noise, rng) {
    const radius = 5;
    const pts: Point[] = [];
    // Half inside radius 2.5, half in the ring 3.5..5; the label is decided after noise moves the
    // point (the point itself is drawn unmoved), which is how noise blurs the boundary in TF Playground.
    const ring = (lo: number, hi: number) => {
      for (let i = 0; i < n / 2; i++) {
        const r = rng.uniform(lo, hi);
        const angle = rng.uniform(0, 2 * Math.PI);
        const x1 = r * Math.sin(angle);
        const x2 = r * Math.cos(angle);
        const nx = rng.uniform(-radius, radius) * noise;
        const ny = rng.uniform(-radius, radius) * noise;
        pts.push({ x1, x2, label: Math.hypot(x1 + nx, x2 + ny) < radius * 0.5 ? 1 : 0 });
      }
    };
    ring(0, radius * 0.5);
    ring(radius * 0.7, radius);
    return pts;
  },
};

const xor: DatasetGenerator = {
  name: 'xor', label: 'Exclusive or', task: 'classification', multiclass: false, samples: 500,
  generate(n, noise, rng) {
    const pts: Point[] = [];
    const padding = 0.3; // keeps points off the axes, where the label flips
    for (let i = 0; i < n; i++) {
      let x1 = rng.uniform(-5, 5);
      x1 += x1 > 0 ? padding : -padding;
      let x2 = rng.uniform(-5, 5);
      x2 += x2 > 0 ? padding : -padding;
      const nx = rng.uniform(-5, 5) * noise;
      const ny = rng.uniform(-5, 5) * noise;
      pts.push({ x1, x2, label: (x1 + nx) * (x2 + ny) >= 0 ? 1 : 0 });
    }
    return pts;
  },
};

const gauss: DatasetGenerator = {
  name: 'gauss', label: 'Gaussian blobs', task: 'classification', multiclass: true, samples: 500,
  generate(n, noise, rng, classes) {
    // Noise 0..0.5 maps linearly to variance 0.5..4, as in TF Playground.
    const std = Math.sqrt(0.5 + (noise / 0.5) * 3.5);
    const centers: [number, number][] = classes === 2
      ? [[-2, -2], [2, 2]] // TF Playground's two gaussians: class 0 at (-2,-2), class 1 at (2,2)
      : Array.from({ length: classes }, (_, k) => {
        const a = (2 * Math.PI * k) / classes;
        return [3.5 * Math.cos(a), 3.5 * Math.sin(a)];
      });
    const pts: Point[] = [];
    const per = Math.floor(n / classes);
    centers.forEach(([cx, cy], label) => {
      for (let i = 0; i < per; i++) pts.push({ x1: rng.normal(cx, std), x2: rng.normal(cy, std), label });
    });
    return pts;
  },
};

const spiral: DatasetGenerator = {
  name: 'spiral', label: 'Spiral', task: 'classification', multiclass: true, samples: 500,
  generate(n, noise, rng, classes) {
    const pts: Point[] = [];
    const per = Math.floor(n / classes);
    for (let k = 0; k < classes; k++) {
      // Arm k is rotated by 2 pi k / K; for K = 2 that is TF Playground's 0 and pi.
      const dt = (2 * Math.PI * k) / classes;
      // TF Playground gives its first arm label +1: class 1 for k = 0 when there are two classes.
      const label = classes === 2 ? 1 - k : k;
      for (let i = 0; i < per; i++) {
        const r = (i / per) * 5;
        const t = ((1.75 * i) / per) * 2 * Math.PI + dt;
        pts.push({
          x1: r * Math.sin(t) + rng.uniform(-1, 1) * noise,
          x2: r * Math.cos(t) + rng.uniform(-1, 1) * noise,
          label,
        });
      }
    }
    return pts;
  },
};

const plane: DatasetGenerator = {
  name: 'plane', label: 'Plane', task: 'regression', multiclass: false, samples: 1200,
  generate(n, noise, rng) {
    const pts: Point[] = [];
    for (let i = 0; i < n; i++) {
      const x1 = rng.uniform(-DOMAIN, DOMAIN);
      const x2 = rng.uniform(-DOMAIN, DOMAIN);
      const nx = rng.uniform(-DOMAIN, DOMAIN) * noise;
      const ny = rng.uniform(-DOMAIN, DOMAIN) * noise;
      pts.push({ x1, x2, label: (x1 + nx + x2 + ny) / 10 }); // [-10, 10] -> [-1, 1]
    }
    return pts;
  },
};

const MULTIGAUSS_CENTERS: [number, number, number][] = [
  [-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1],
];

const multigauss: DatasetGenerator = {
  name: 'multigauss', label: 'Multi-gaussian', task: 'regression', multiclass: false, samples: 1200,
  generate(n, noise, rng) {
    // The label is the strongest of six signed bumps that fall linearly from 1 at a centre to 0
    // at distance 2 (TF Playground's regressGaussian).
    const labelAt = (x: number, y: number) => {
      let label = 0;
      for (const [cx, cy, sign] of MULTIGAUSS_CENTERS) {
        const v = sign * Math.max(0, Math.min(1, 1 - Math.hypot(x - cx, y - cy) / 2));
        if (Math.abs(v) > Math.abs(label)) label = v;
      }
      return label;
    };
    const pts: Point[] = [];
    for (let i = 0; i < n; i++) {
      const x1 = rng.uniform(-DOMAIN, DOMAIN);
      const x2 = rng.uniform(-DOMAIN, DOMAIN);
      const nx = rng.uniform(-DOMAIN, DOMAIN) * noise;
      const ny = rng.uniform(-DOMAIN, DOMAIN) * noise;
      pts.push({ x1, x2, label: labelAt(x1 + nx, x2 + ny) });
    }
    return pts;
  },
};

/** Every built-in dataset, in picker order. */
export const DATASETS: readonly DatasetGenerator[] = [circle, xor, gauss, spiral, plane, multigauss];

/** Built-in dataset names, in picker order. */
export const DATASET_NAMES = DATASETS.map((d) => d.name) as readonly DatasetName[];

/** The generator with this name. */
export function dataset(name: DatasetName): DatasetGenerator {
  const d = DATASETS.find((x) => x.name === name);
  if (!d) throw new Error(`unknown dataset "${name}" (known: ${DATASET_NAMES.join(', ')})`);
  return d;
}

/**
 * Shuffles the points and splits them into train and test sets (TF Playground shuffles, then
 * cuts at the ratio).
 * @param trainFraction 0..1
 * @example const { train, test } = splitTrainTest(points, 0.5, new Rng(1))
 */
export function splitTrainTest(points: readonly Point[], trainFraction: number, rng: Rng): { train: Point[]; test: Point[] } {
  const shuffled = rng.shuffle(points.slice());
  const cut = Math.max(1, Math.min(shuffled.length - 1, Math.round(shuffled.length * trainFraction)));
  return { train: shuffled.slice(0, cut), test: shuffled.slice(cut) };
}
