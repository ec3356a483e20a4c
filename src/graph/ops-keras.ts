/**
 * Metadata of Keras layers (Keras 1 to 3, tf.keras, TF.js layers) and of the TensorFlow ops found in
 * TF.js graph models. Descriptions follow the Keras and TensorFlow API docs. Read through
 * `opMeta`/`opInfo` in `ops.ts`.
 */
import type { OpMeta } from './ops.ts';
import { table } from './ops-onnx.ts';

const convDesc = (d: string) => `${d} convolution over channels-last inputs, with learned kernel and bias.`;

/** Keras layer class names to metadata. */
export const KERAS_LAYERS: Record<string, OpMeta> = table({
  conv: {
    Conv1D: convDesc('1-D'), Conv2D: convDesc('2-D'), Conv3D: convDesc('3-D'),
    Convolution1D: `${convDesc('1-D')} (Keras 1 name)`, Convolution2D: `${convDesc('2-D')} (Keras 1 name)`,
    Convolution3D: `${convDesc('3-D')} (Keras 1 name)`, AtrousConvolution2D: 'Dilated 2-D convolution (Keras 1).',
    Conv1DTranspose: 'Transposed 1-D convolution (upsampling).', Conv2DTranspose: 'Transposed 2-D convolution (upsampling).',
    Conv3DTranspose: 'Transposed 3-D convolution (upsampling).', Deconvolution2D: 'Transposed 2-D convolution (Keras 1 name).',
    Deconvolution3D: 'Transposed 3-D convolution (Keras 1 name).',
    SeparableConv1D: 'Depthwise 1-D convolution followed by a pointwise (1x1) convolution.',
    SeparableConv2D: 'Depthwise 2-D convolution followed by a pointwise (1x1) convolution.',
    SeparableConvolution2D: 'Separable 2-D convolution (Keras 1 name).',
    DepthwiseConv1D: 'Convolves each input channel with its own filters (depth multiplier).',
    DepthwiseConv2D: 'Convolves each input channel with its own filters (depth multiplier).',
    LocallyConnected1D: 'Like Conv1D but with unshared weights per position.',
    LocallyConnected2D: 'Like Conv2D but with unshared weights per position.',
  },
  dense: {
    Dense: 'Fully connected layer: activation(x . kernel + bias).',
    EinsumDense: 'Dense layer whose contraction is an einsum equation.',
    MaxoutDense: 'Dense layer taking the maximum of several linear pieces (Keras 1).',
    Highway: 'Highway layer: gated mix of a transform and the input (Keras 1).',
    Dot: 'Dot product of two inputs along given axes.',
  },
  activation: {
    Activation: 'Applies an activation function (relu, sigmoid, softmax...).',
    ReLU: 'Rectified linear unit, with optional max value, slope and threshold.',
    LeakyReLU: 'Leaky ReLU: x if x >= 0 else alpha * x.',
    PReLU: 'Parametric ReLU with a learned slope per unit.',
    ELU: 'Exponential linear unit.',
    ThresholdedReLU: 'x if x > theta else 0.',
    Softmax: 'Softmax along an axis.',
  },
  pooling: {
    MaxPooling1D: 'Maximum over sliding windows (1-D).', MaxPooling2D: 'Maximum over sliding windows (2-D).',
    MaxPooling3D: 'Maximum over sliding windows (3-D).', MaxPool1D: 'Maximum over sliding windows (1-D).',
    MaxPool2D: 'Maximum over sliding windows (2-D).', MaxPool3D: 'Maximum over sliding windows (3-D).',
    AveragePooling1D: 'Mean over sliding windows (1-D).', AveragePooling2D: 'Mean over sliding windows (2-D).',
    AveragePooling3D: 'Mean over sliding windows (3-D).', AvgPool1D: 'Mean over sliding windows (1-D).',
    AvgPool2D: 'Mean over sliding windows (2-D).', AvgPool3D: 'Mean over sliding windows (3-D).',
    GlobalMaxPooling1D: 'Maximum over all steps.', GlobalMaxPooling2D: 'Maximum over all spatial positions.',
    GlobalMaxPooling3D: 'Maximum over all spatial positions.', GlobalMaxPool1D: 'Maximum over all steps.',
    GlobalMaxPool2D: 'Maximum over all spatial positions.', GlobalMaxPool3D: 'Maximum over all spatial positions.',
    GlobalAveragePooling1D: 'Mean over all steps.', GlobalAveragePooling2D: 'Mean over all spatial positions.',
    GlobalAveragePooling3D: 'Mean over all spatial positions.', GlobalAvgPool1D: 'Mean over all steps.',
    GlobalAvgPool2D: 'Mean over all spatial positions.', GlobalAvgPool3D: 'Mean over all spatial positions.',
  },
  normalization: {
    BatchNormalization: 'Normalizes with moving mean and variance, then scales (gamma) and shifts (beta).',
    SyncBatchNormalization: 'Batch normalization synchronized across devices.',
    LayerNormalization: 'Normalizes each sample over the given axes, then scales and shifts.',
    GroupNormalization: 'Normalizes over groups of channels per sample.',
    UnitNormalization: 'Scales each sample to unit L2 norm.',
    Normalization: 'Preprocessing: (x - mean) / sqrt(variance) with adapted statistics.',
    Rescaling: 'Preprocessing: x * scale + offset.',
  },
  shape: {
    Flatten: 'Flattens all dimensions but the batch.', Reshape: 'Reshapes to a target shape (batch kept).',
    Permute: 'Permutes the non-batch dimensions.', RepeatVector: 'Repeats a vector n times along a new axis.',
    Cropping1D: 'Crops steps at both ends.', Cropping2D: 'Crops rows and columns at the borders.',
    Cropping3D: 'Crops the three spatial borders.', UpSampling1D: 'Repeats each step.',
    UpSampling2D: 'Repeats rows and columns (nearest or bilinear).', UpSampling3D: 'Repeats along three spatial axes.',
    ZeroPadding1D: 'Pads steps with zeros.', ZeroPadding2D: 'Pads rows and columns with zeros.',
    ZeroPadding3D: 'Pads three spatial axes with zeros.', Masking: 'Marks time steps equal to a mask value as skipped.',
    Resizing: 'Preprocessing: resizes images.', CenterCrop: 'Preprocessing: crops the image centre.',
    Identity: 'Returns the input unchanged.', CategoryEncoding: 'Encodes integer categories as one-hot, multi-hot or counts.',
    Hashing: 'Hashes values into bins.', Discretization: 'Buckets numbers by boundaries.',
    StringLookup: 'Maps strings to integer indices.', IntegerLookup: 'Maps integers to indices.',
    TextVectorization: 'Turns text into token indices.', RandomFlip: 'Augmentation: random flips (identity at inference).',
    RandomRotation: 'Augmentation: random rotations.', RandomZoom: 'Augmentation: random zooms.',
    RandomContrast: 'Augmentation: random contrast.', RandomTranslation: 'Augmentation: random shifts.',
    RandomCrop: 'Augmentation: random crops.', RandomBrightness: 'Augmentation: random brightness.',
  },
  merge: {
    Add: 'Sums its inputs (residual connections).', Subtract: 'Difference of two inputs.',
    Multiply: 'Element-wise product of its inputs.', Average: 'Mean of its inputs.',
    Maximum: 'Element-wise maximum of its inputs.', Minimum: 'Element-wise minimum of its inputs.',
    Concatenate: 'Joins its inputs along an axis.', Merge: 'Merges inputs by a mode: sum, concat, mul... (Keras 1).',
  },
  recurrent: {
    LSTM: 'Long short-term memory layer over a sequence.', GRU: 'Gated recurrent unit layer over a sequence.',
    SimpleRNN: 'Fully connected recurrent layer.', RNN: 'Recurrent layer around a cell.',
    CuDNNLSTM: 'LSTM with the cuDNN kernel (tf.keras 1.x).', CuDNNGRU: 'GRU with the cuDNN kernel (tf.keras 1.x).',
    LSTMCell: 'One LSTM step.', GRUCell: 'One GRU step.', SimpleRNNCell: 'One simple RNN step.',
    StackedRNNCells: 'Several RNN cells applied in turn.', Bidirectional: 'Runs a recurrent layer forwards and backwards and merges the two.',
    ConvLSTM1D: 'LSTM with convolutional gates (1-D).', ConvLSTM2D: 'LSTM with convolutional gates (2-D).',
    ConvLSTM3D: 'LSTM with convolutional gates (3-D).',
    TimeDistributed: 'Applies a layer to every time step.',
  },
  attention: {
    MultiHeadAttention: 'Multi-head scaled dot-product attention with learned projections.',
    Attention: 'Dot-product (Luong) attention.', AdditiveAttention: 'Additive (Bahdanau) attention.',
    GroupQueryAttention: 'Attention with fewer key/value heads than query heads.',
  },
  embedding: {
    Embedding: 'Maps integer indices to learned dense vectors.',
  },
  dropout: {
    Dropout: 'Randomly zeroes inputs during training; identity at inference.',
    SpatialDropout1D: 'Drops whole channels (1-D) during training.', SpatialDropout2D: 'Drops whole channels (2-D) during training.',
    SpatialDropout3D: 'Drops whole channels (3-D) during training.', GaussianDropout: 'Multiplicative Gaussian noise during training.',
    GaussianNoise: 'Additive Gaussian noise during training.', AlphaDropout: 'Dropout that keeps SELU self-normalization.',
    ActivityRegularization: 'Adds an activity penalty to the loss; identity otherwise.',
  },
  io: {
    InputLayer: 'Model input: declares shape and dtype.', Input: 'Model input: declares shape and dtype.',
  },
  control: {
    Sequential: 'A nested Sequential model.', Functional: 'A nested Functional model.', Model: 'A nested model.',
    Wrapper: 'A layer wrapping another layer.',
  },
  custom: {
    Lambda: 'Runs arbitrary Python code (stored as bytecode; never executed by nnlens).',
    TFOpLambda: 'A TensorFlow op called on Keras tensors (tf.keras auto-wrapping).',
    SlicingOpLambda: 'A tensor slice called on Keras tensors (tf.keras auto-wrapping).',
  },
}, {
  Conv1D: 'SIO', Conv2D: 'SIO', Conv3D: 'SIO', Convolution1D: 'SIO', Convolution2D: 'SIO', Convolution3D: 'SIO',
  AtrousConvolution2D: 'SIO', Conv1DTranspose: 'SOI', Conv2DTranspose: 'SOI', Conv3DTranspose: 'SOI',
  Deconvolution2D: 'SOI', Deconvolution3D: 'SOI', DepthwiseConv1D: 'SIM', DepthwiseConv2D: 'SIM',
});

/** TensorFlow op names (TF.js graph models) to metadata. */
export const TF_OPS: Record<string, OpMeta> = table({
  conv: {
    Conv1D: 'TensorFlow 1-D convolution.', Conv2D: 'TensorFlow 2-D convolution (HWIO filter).',
    Conv3D: 'TensorFlow 3-D convolution.', Conv2DBackpropInput: 'Transposed 2-D convolution.',
    DepthwiseConv2dNative: 'Depthwise 2-D convolution.', FusedConv2D: 'Convolution fused with bias and activation (TF.js).',
    _FusedConv2D: 'Convolution fused with bias and activation (grappler).',
    FusedDepthwiseConv2dNative: 'Depthwise convolution fused with bias and activation (TF.js).',
    Dilation2D: 'Grayscale morphological dilation.',
  },
  dense: {
    MatMul: 'Matrix product.', BatchMatMul: 'Batched matrix product.', BatchMatMulV2: 'Batched matrix product with broadcasting.',
    _FusedMatMul: 'Matrix product fused with bias and activation.', Einsum: 'Einstein-summation contraction.',
  },
  activation: {
    Relu: 'max(0, x).', Relu6: 'min(max(0, x), 6).', Elu: 'Exponential linear unit.', Selu: 'Scaled ELU.',
    LeakyRelu: 'Leaky ReLU.', Prelu: 'Parametric ReLU.', Sigmoid: 'Logistic sigmoid.', Tanh: 'Hyperbolic tangent.',
    Softmax: 'Softmax over the last axis.', LogSoftmax: 'Log-softmax over the last axis.', Softplus: 'log(1 + exp(x)).',
    Softsign: 'x / (1 + |x|).', Erf: 'Gauss error function.',
  },
  pooling: {
    MaxPool: 'Maximum over sliding windows.', MaxPoolV2: 'Maximum over sliding windows.', AvgPool: 'Mean over sliding windows.',
    MaxPool3D: 'Maximum over 3-D windows.', AvgPool3D: 'Mean over 3-D windows.', MaxPoolWithArgmax: 'Max pooling with argmax.',
  },
  normalization: {
    FusedBatchNorm: 'Batch normalization with scale, offset, mean and variance.',
    FusedBatchNormV2: 'Batch normalization with scale, offset, mean and variance.',
    FusedBatchNormV3: 'Batch normalization with scale, offset, mean and variance.',
    LRN: 'Local response normalization.',
  },
  shape: {
    Reshape: 'Reshapes.', Squeeze: 'Removes size-1 dimensions.', ExpandDims: 'Inserts a size-1 dimension.',
    Transpose: 'Permutes dimensions.', Pack: 'Stacks tensors along a new axis.', Unpack: 'Unstacks along an axis.',
    Split: 'Splits into equal parts.', SplitV: 'Splits into given sizes.', Slice: 'Takes a sub-range.',
    StridedSlice: 'Takes a strided sub-range.', Gather: 'Picks entries by index.', GatherV2: 'Picks entries by index along an axis.',
    GatherNd: 'Picks slices by N-D indices.', Pad: 'Pads with zeros.', PadV2: 'Pads with a constant.', MirrorPad: 'Pads by reflection.',
    Tile: 'Repeats along each dimension.', Shape: 'Shape of the input.', Cast: 'Converts element type.',
    Identity: 'Returns the input.', IdentityN: 'Returns its inputs.', ResizeBilinear: 'Bilinear resize.',
    ResizeNearestNeighbor: 'Nearest-neighbour resize.', OneHot: 'One-hot encoding.', Reverse: 'Reverses axes.',
    ReverseV2: 'Reverses axes.', BroadcastTo: 'Broadcasts to a shape.', SpaceToBatchND: 'Moves spatial blocks into the batch.',
    BatchToSpaceND: 'Moves batch blocks into space.', DepthToSpace: 'Pixel shuffle.', SpaceToDepth: 'Inverse pixel shuffle.',
    Where: 'Indices of true elements.', StopGradient: 'Identity that blocks gradients.', Snapshot: 'Copies the input.',
  },
  merge: {
    ConcatV2: 'Joins tensors along an axis.', Concat: 'Joins tensors along an axis.', AddN: 'Sums any number of tensors.',
  },
  math: {
    Add: 'Element-wise addition.', AddV2: 'Element-wise addition.', BiasAdd: 'Adds a bias per channel.', Sub: 'Subtraction.',
    Mul: 'Multiplication.', RealDiv: 'Division.', Div: 'Division.', DivNoNan: 'Division, 0 where the divisor is 0.',
    FloorDiv: 'Floor division.', FloorMod: 'Floor remainder.', Maximum: 'Element-wise maximum.',
    Minimum: 'Element-wise minimum.', Pow: 'Power.', SquaredDifference: '(x - y)^2.', Square: 'x^2.', Sqrt: 'Square root.',
    Rsqrt: '1 / sqrt(x).', Exp: 'Exponential.', Log: 'Logarithm.', Log1p: 'log(1 + x).', Neg: 'Negation.', Abs: 'Absolute value.',
    Floor: 'Round down.', Ceil: 'Round up.', Round: 'Round half to even.', Sign: 'Sign.', Reciprocal: '1 / x.',
    Equal: 'x == y.', NotEqual: 'x != y.', Greater: 'x > y.', GreaterEqual: 'x >= y.', Less: 'x < y.', LessEqual: 'x <= y.',
    LogicalAnd: 'Logical and.', LogicalOr: 'Logical or.', LogicalNot: 'Logical not.', Select: 'Picks x or y by a condition.',
    SelectV2: 'Picks x or y by a condition, with broadcasting.', ClipByValue: 'Clamps to [min, max].', TopKV2: 'The k largest values.',
    NonMaxSuppressionV3: 'Box selection by score.', NonMaxSuppressionV5: 'Box selection by score.', Cumsum: 'Cumulative sum.',
  },
  reduce: {
    Mean: 'Mean over axes.', Sum: 'Sum over axes.', Max: 'Maximum over axes.', Min: 'Minimum over axes.', Prod: 'Product over axes.',
    All: 'Logical and over axes.', Any: 'Logical or over axes.', ArgMax: 'Index of the maximum.', ArgMin: 'Index of the minimum.',
  },
  dropout: {},
  io: {
    Placeholder: 'Graph input.', PlaceholderWithDefault: 'Graph input with a default value.',
  },
  constant: {
    Const: 'A constant tensor (weights live here in TF graphs).', Fill: 'A tensor filled with one value.',
    Range: 'An arithmetic sequence.', RandomUniform: 'Uniform random samples.', RandomStandardNormal: 'Normal random samples.',
    ZerosLike: 'Zeros shaped like the input.', OnesLike: 'Ones shaped like the input.', NoOp: 'Does nothing (control dependency).',
  },
  control: {
    Enter: 'Enters a while-loop frame.', Exit: 'Leaves a while-loop frame.', Merge: 'Forwards the first available input (TF1 control flow).',
    Switch: 'Routes a tensor by a predicate (TF1 control flow).', NextIteration: 'Passes a value to the next loop iteration.',
    LoopCond: 'The loop condition.', If: 'Conditional subgraph call.', StatelessIf: 'Conditional subgraph call.',
    While: 'While loop of subgraphs.', StatelessWhile: 'While loop of subgraphs.', PartitionedCall: 'Calls a function.',
    StatefulPartitionedCall: 'Calls a function.',
  },
}, {
  Conv1D: 'SIO', Conv2D: 'SIO', Conv3D: 'SIO', FusedConv2D: 'SIO', _FusedConv2D: 'SIO', Conv2DBackpropInput: 'SOI',
  DepthwiseConv2dNative: 'SIM', FusedDepthwiseConv2dNative: 'SIM',
});
