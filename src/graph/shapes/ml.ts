/**
 * Classic-ML operators of the `ai.onnx.ml` domain (ONNX docs/Operators-ml.md), as written by
 * skl2onnx and onnxmltools. Classifiers output labels `[N]` and scores `[N, classes]`; ZipMap
 * outputs a sequence of maps, which is not a tensor: it gets no shape (and no dtype).
 */
import type { Dim, Node } from '../ir.ts';
import { attr } from '../ir.ts';
import type { DType } from '../tensor.ts';
import { like, type Fact, type Rule } from './types.ts';

/** Class labels, from whichever of the string / int64 label attributes is set. */
function labels(node: Node): { dtype: DType; count: number } {
  const strings = attr(node, 'classlabels_strings', 'strings', []);
  if (strings.length) return { dtype: 'string', count: strings.length };
  return { dtype: 'int64', count: attr(node, 'classlabels_int64s', 'ints', attr(node, 'classlabels_ints', 'ints', [])).length };
}

/**
 * A classifier: label `[N]` and scores `[N, classes]`. For two classes without probability
 * calibration, SVM and linear classifiers may emit one score column or two, depending on the
 * runtime's rules, so that dim is left unknown.
 */
function classifier(binaryScoresKnown: boolean): Rule {
  return (node, [x]) => {
    const n = x?.shape?.[0] ?? null;
    const { dtype, count } = labels(node);
    const calibrated = attr(node, 'prob_a', 'floats', []).length > 0;
    const columns: Dim = count === 2 && !binaryScoresKnown && !calibrated ? null : count || null;
    return [{ dtype, shape: [n] }, { dtype: 'float32', shape: [n, columns] }];
  };
}

/** A regressor with `n_targets` (or `targets`) outputs per row. */
function regressor(targetsAttr: string): Rule {
  return (node, [x]) => [{ dtype: 'float32', shape: [x?.shape?.[0] ?? null, attr(node, targetsAttr, 'int', 1)] }];
}

const floatLike: Rule = (_node, [x]) => [like(x, 'float32')];

/** ArrayFeatureExtractor(X, indices): picks columns of the last axis. */
const arrayFeatureExtractor: Rule = (_node, [x, indices]) => {
  const k = indices?.value?.length ?? (indices?.shape?.length === 1 ? indices.shape[0]! : null);
  return [{ dtype: x?.dtype, shape: x?.shape && [...x.shape.slice(0, -1), k] }];
};

/** LabelEncoder: same shape, dtype of the `values_*` attribute that is set. */
const labelEncoder: Rule = (node, [x]) => {
  const a = node.attributes;
  const dtype: DType | undefined = a.values_strings ? 'string' : a.values_int64s ? 'int64' : a.values_floats ? 'float32' : undefined;
  return [like(x, dtype)];
};

const zipMap: Rule = (): Fact[] => [{}];

/** Rules of this domain, keyed `ai.onnx.ml:Op`. */
export const mlRules: Record<string, Rule> = {
  'ai.onnx.ml:SVMClassifier': classifier(false),
  'ai.onnx.ml:LinearClassifier': classifier(false),
  'ai.onnx.ml:TreeEnsembleClassifier': classifier(true),
  'ai.onnx.ml:TreeEnsembleRegressor': regressor('n_targets'),
  'ai.onnx.ml:TreeEnsemble': regressor('n_targets'),
  'ai.onnx.ml:LinearRegressor': regressor('targets'),
  'ai.onnx.ml:SVMRegressor': (_node, [x]) => [{ dtype: 'float32', shape: [x?.shape?.[0] ?? null, 1] }],
  'ai.onnx.ml:Normalizer': floatLike,
  'ai.onnx.ml:Scaler': floatLike,
  'ai.onnx.ml:Binarizer': (_node, [x]) => [like(x)],
  'ai.onnx.ml:Imputer': (_node, [x]) => [like(x)],
  'ai.onnx.ml:ArrayFeatureExtractor': arrayFeatureExtractor,
  'ai.onnx.ml:FeatureVectorizer': (node, [x]) => [{ dtype: 'float32', shape: [x?.shape?.[0] ?? null, attr(node, 'inputdimensions', 'ints', []).reduce((a, b) => a + b, 0)] }],
  'ai.onnx.ml:OneHotEncoder': (node, [x]) => {
    const cats = attr(node, 'cats_int64s', 'ints', []).length || attr(node, 'cats_strings', 'strings', []).length;
    return [{ dtype: 'float32', shape: x?.shape && [...x.shape, cats] }];
  },
  'ai.onnx.ml:LabelEncoder': labelEncoder,
  'ai.onnx.ml:CategoryMapper': (_node, [x]) => [like(x, x?.dtype === 'string' ? 'int64' : 'string')],
  'ai.onnx.ml:DictVectorizer': (node) => [{ shape: [1, (attr(node, 'string_vocabulary', 'strings', []).length || attr(node, 'int64_vocabulary', 'ints', []).length)] }],
  'ai.onnx.ml:ZipMap': zipMap,
};
