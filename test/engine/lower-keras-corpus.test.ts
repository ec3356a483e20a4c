/**
 * Every Keras and TF.js layers model of ../shared/models/real, lowered to ONNX and run on ONNX
 * Runtime, against @tensorflow/tfjs-layers running the same model with the same weights on the
 * same seeded inputs (test/engine/lower-tfjs.ts). One row per model file (Netron's
 * test/models.json style). The criterion: every layer output, and so the model outputs, agree to
 * 1e-4 in L-inf error relative to the reference's max |value| (floored at 1e-3).
 *
 * Models that cannot execute are listed with the error they give: Lambda layers (Python
 * bytecode, never run), custom layers and subclassed models whose code is not in the file.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine } from '../../src/engine/engine.ts';
import { NnlensError } from '../../src/errors.ts';
import { openModel } from '../../src/formats/registry.ts';
import { NEEDS_SHARED, real } from '../helpers/shared.ts';
import { agreement, kerasFeeds } from './lower-tfjs.ts';

interface Row {
  path: string;
  weights?: string;
  /** Range of the uniform inputs (what the model was trained on: pixels 0-255, rescaled images, standardized features). */
  range?: [number, number];
}

const TOL = 1e-4;

const ROWS: Row[] = [
  { path: 'fraud-mlp-creditcard-0xdaksh/model.json', range: [-2, 2] },
  { path: 'dogcat-cnn-11tonytony11/model.h5', range: [0, 255] },
  { path: 'keras2-weights-json-carnd-dventimiglia/model.json', range: [0, 255] },
  { path: 'emotion-cnn-bn-24kshah/model.h5' },
  { path: 'mnist-cnn-11hepatel/model.h5' },
  { path: 'catsdogs-cnn-jeanxl/cats_vs_dogs.h5' },
  { path: 'churn-mlp-ankit/model.h5', range: [-2, 2] },
  { path: 'fraud-mlp-2468universe/model.h5', range: [-2, 2] },
  { path: 'gru-timeseries-tekuv/gru_model.h5' },
  { path: 'seq2seq-lstm-functional-katakana/model.h5' },
  { path: 'resnet-add-bn-fvilmos/resnet.h5' },
  { path: 'unet-concat-afiliot/unet.h5' },
  { path: 'hdf5-named-dotkeras-deathgrips/model.keras' },
  { path: 'keras3-lstm-crypto/model.keras' },
  { path: 'keras3-lstm-crypto/model_fixed.h5' },
  { path: 'tfkeras215-mlp-jiechau-keras/tf_dnn.keras', range: [-2, 2] },
  { path: 'tfkeras215-mlp-jiechau-keras/tf_dnn.h5', range: [-2, 2] },
  { path: 'tfjs-layers-mlp-jiechau/model.json', range: [-2, 2] },
  { path: 'tfjs-layers-quant-bilstm-aa760' },
  { path: 'tfjs0-layers-lstm-har-aock/model.json', range: [-1, 1] },
  { path: 'tfjs0-layers-lstm-har-aock/entireModel.h5', range: [-1, 1] },
  { path: 'tfjs0-layers-lstm-har-aock/arch.json', weights: 'tfjs0-layers-lstm-har-aock/weights.h5', range: [-1, 1] },
];

for (const row of ROWS) {
  test(`lowered Keras vs tfjs-layers: ${row.path}`, { skip: NEEDS_SHARED }, async (t) => {
    const model = await openModel(real(row.path), row.weights ? { weights: real(row.weights) } : {});
    const a = await agreement(model, kerasFeeds(model, 11, row.range));
    t.diagnostic(`output ${a.output.toExponential(2)}; worst of ${a.compared} layer outputs ${a.worst.err.toExponential(2)} (${a.worst.value})`);
    assert.ok(a.output < TOL, `model output differs from tfjs by ${a.output}`);
    assert.ok(a.worst.err < TOL, `layer output ${a.worst.value} differs from tfjs by ${a.worst.err}`);
  });
}

/** Models that cannot execute, and the layer the error must name. */
const NOT_EXECUTABLE: { path: string; weights?: string; layer: string; why: RegExp }[] = [
  { path: 'keras1-full-carnd-eljefec/model.h5', layer: "'lambda_5' (Lambda)", why: /Python code/ },
  { path: 'keras1-weights-json-carnd-billzito/nvidia_33_17.json', layer: "'lambda_1' (Lambda)", why: /Python code/ },
  { path: 'keras2-lambda-carnd-1524045/model.h5', layer: "'lambda_1' (Lambda)", why: /Python code/ },
  { path: 'keras3-lambda-siamese-doorlock/siamese_model_0.7.keras', layer: "'lambda' (Lambda)", why: /Python code/ },
  { path: 'siamese-lstm-customlayer-arpx22/siamese_model.h5', layer: "'L1_Distance_Layer' (L1Dist)", why: /custom layer class 'L1Dist'/ },
  { path: 'keras3-customlayer-siamese-speaker/siamese_model.keras', layer: "'l1_distance_2' (L1Distance)", why: /custom layer class 'L1Distance'/ },
  { path: 'siamese-subclassed-lambda-ayushmi/siamese_model.h5', layer: "'res_net' (ResNet)", why: /empty config/ },
];

for (const row of NOT_EXECUTABLE) {
  test(`not executable, with an error naming the layer: ${row.path}`, { skip: NEEDS_SHARED }, async () => {
    const model = await openModel(real(row.path), row.weights ? { weights: real(row.weights) } : {});
    assert.ok(model.graph.nodes.length > 0, 'opening still works');
    assert.throws(() => Engine.fromModel(model), (e: unknown) => {
      assert.ok(e instanceof NnlensError, String(e));
      assert.ok(e.message.includes(real(row.path)), e.message);
      assert.ok(e.message.includes(`layer ${row.layer} cannot be executed`), e.message);
      assert.match(e.message, row.why);
      return true;
    });
  });
}
