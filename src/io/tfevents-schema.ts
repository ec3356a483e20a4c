/**
 * The TensorBoard protobuf messages nnlens reads and writes, as a schema for src/io/protobuf.ts.
 * Field numbers from TensorFlow's `tensorflow/core/util/event.proto`,
 * `core/framework/summary.proto`, `tensor.proto`, `tensor_shape.proto` and `types.proto`
 * (the same files TensorBoard vendors under `tensorboard/compat/proto/`).
 * Large payloads (graphs, encoded images) are `lazy`: located, not copied.
 */
import type { ProtoSchema } from './protobuf.ts';

/** Event, Summary, Summary.Value, HistogramProto, TensorProto and friends. */
export const TFEVENTS_SCHEMA: ProtoSchema = {
  Event: {
    1: { name: 'wall_time', type: 'double' },
    2: { name: 'step', type: 'int64' },
    3: { name: 'file_version', type: 'string' },
    4: { name: 'graph_def', type: 'lazy' },
    5: { name: 'summary', type: 'Summary' },
    6: { name: 'log_message', type: 'LogMessage' },
    7: { name: 'session_log', type: 'SessionLog' },
    8: { name: 'tagged_run_metadata', type: 'TaggedRunMetadata' },
    9: { name: 'meta_graph_def', type: 'lazy' },
  },
  LogMessage: { 1: { name: 'level', type: 'enum' }, 2: { name: 'message', type: 'string' } },
  SessionLog: {
    1: { name: 'status', type: 'enum' },
    2: { name: 'checkpoint_path', type: 'string' },
    3: { name: 'msg', type: 'string' },
  },
  TaggedRunMetadata: { 1: { name: 'tag', type: 'string' }, 2: { name: 'run_metadata', type: 'lazy' } },
  Summary: { 1: { name: 'value', type: 'SummaryValue', repeated: true } },
  SummaryValue: {
    1: { name: 'tag', type: 'string' },
    2: { name: 'simple_value', type: 'float' },
    3: { name: 'obsolete_old_style_histogram', type: 'lazy' },
    4: { name: 'image', type: 'SummaryImage' },
    5: { name: 'histo', type: 'HistogramProto' },
    6: { name: 'audio', type: 'SummaryAudio' },
    7: { name: 'node_name', type: 'string' },
    8: { name: 'tensor', type: 'TensorProto' },
    9: { name: 'metadata', type: 'SummaryMetadata' },
  },
  SummaryImage: {
    1: { name: 'height', type: 'int32' },
    2: { name: 'width', type: 'int32' },
    3: { name: 'colorspace', type: 'int32' },
    4: { name: 'encoded_image_string', type: 'lazy' },
  },
  SummaryAudio: {
    1: { name: 'sample_rate', type: 'float' },
    2: { name: 'num_channels', type: 'int64' },
    3: { name: 'length_frames', type: 'int64' },
    4: { name: 'encoded_audio_string', type: 'lazy' },
    5: { name: 'content_type', type: 'string' },
  },
  SummaryMetadata: {
    1: { name: 'plugin_data', type: 'PluginData' },
    2: { name: 'display_name', type: 'string' },
    3: { name: 'summary_description', type: 'string' },
    4: { name: 'data_class', type: 'enum' },
  },
  PluginData: { 1: { name: 'plugin_name', type: 'string' }, 2: { name: 'content', type: 'bytes' } },
  HistogramProto: {
    1: { name: 'min', type: 'double' },
    2: { name: 'max', type: 'double' },
    3: { name: 'num', type: 'double' },
    4: { name: 'sum', type: 'double' },
    5: { name: 'sum_squares', type: 'double' },
    6: { name: 'bucket_limit', type: 'double', repeated: true },
    7: { name: 'bucket', type: 'double', repeated: true },
  },
  TensorProto: {
    1: { name: 'dtype', type: 'enum' },
    2: { name: 'tensor_shape', type: 'TensorShapeProto' },
    3: { name: 'version_number', type: 'int32' },
    4: { name: 'tensor_content', type: 'bytes' },
    5: { name: 'float_val', type: 'float', repeated: true },
    6: { name: 'double_val', type: 'double', repeated: true },
    7: { name: 'int_val', type: 'int32', repeated: true },
    8: { name: 'string_val', type: 'lazy', repeated: true },
    10: { name: 'int64_val', type: 'int64', repeated: true },
    11: { name: 'bool_val', type: 'bool', repeated: true },
    13: { name: 'half_val', type: 'int32', repeated: true },
  },
  TensorShapeProto: {
    2: { name: 'dim', type: 'TensorShapeDim', repeated: true },
    3: { name: 'unknown_rank', type: 'bool' },
  },
  TensorShapeDim: { 1: { name: 'size', type: 'int64' }, 2: { name: 'name', type: 'string' } },
};

/** TensorFlow `DataType` enum values nnlens decodes (types.proto). */
export const TF_DTYPE = { FLOAT: 1, DOUBLE: 2, INT32: 3, UINT8: 4, INT16: 5, INT8: 6, STRING: 7, INT64: 9, BOOL: 10, HALF: 19 } as const;

/** `Summary.Value.metadata.data_class` values (summary.proto `DataClass`). */
export const DATA_CLASS = { UNKNOWN: 0, SCALAR: 1, TENSOR: 2, BLOB_SEQUENCE: 3 } as const;
