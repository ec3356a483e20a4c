/**
 * The subset of onnx.proto (https://github.com/onnx/onnx/blob/main/onnx/onnx.proto) that nnlens
 * reads and writes, as a {@link ProtoSchema}. Field numbers are those of the spec.
 * Weight payloads (`raw_data`, packed numeric data) are `lazy`: decoded to byte ranges.
 */
import type { ProtoSchema } from '../io/protobuf.ts';

export const ONNX_SCHEMA: ProtoSchema = {
  ModelProto: {
    1: { name: 'ir_version', type: 'int64' },
    8: { name: 'opset_import', type: 'OperatorSetIdProto', repeated: true },
    2: { name: 'producer_name', type: 'string' },
    3: { name: 'producer_version', type: 'string' },
    4: { name: 'domain', type: 'string' },
    5: { name: 'model_version', type: 'int64' },
    6: { name: 'doc_string', type: 'string' },
    7: { name: 'graph', type: 'GraphProto' },
    14: { name: 'metadata_props', type: 'StringStringEntryProto', repeated: true },
    25: { name: 'functions', type: 'FunctionProto', repeated: true },
  },
  OperatorSetIdProto: {
    1: { name: 'domain', type: 'string' },
    2: { name: 'version', type: 'int64' },
  },
  StringStringEntryProto: {
    1: { name: 'key', type: 'string' },
    2: { name: 'value', type: 'string' },
  },
  GraphProto: {
    1: { name: 'node', type: 'NodeProto', repeated: true },
    2: { name: 'name', type: 'string' },
    5: { name: 'initializer', type: 'TensorProto', repeated: true },
    10: { name: 'doc_string', type: 'string' },
    11: { name: 'input', type: 'ValueInfoProto', repeated: true },
    12: { name: 'output', type: 'ValueInfoProto', repeated: true },
    13: { name: 'value_info', type: 'ValueInfoProto', repeated: true },
  },
  NodeProto: {
    1: { name: 'input', type: 'string', repeated: true },
    2: { name: 'output', type: 'string', repeated: true },
    3: { name: 'name', type: 'string' },
    4: { name: 'op_type', type: 'string' },
    7: { name: 'domain', type: 'string' },
    5: { name: 'attribute', type: 'AttributeProto', repeated: true },
    6: { name: 'doc_string', type: 'string' },
  },
  AttributeProto: {
    1: { name: 'name', type: 'string' },
    21: { name: 'ref_attr_name', type: 'string' },
    20: { name: 'type', type: 'enum' },
    2: { name: 'f', type: 'float' },
    3: { name: 'i', type: 'int64' },
    4: { name: 's', type: 'bytes' },
    5: { name: 't', type: 'TensorProto' },
    6: { name: 'g', type: 'GraphProto' },
    7: { name: 'floats', type: 'float', repeated: true },
    8: { name: 'ints', type: 'int64', repeated: true },
    9: { name: 'strings', type: 'bytes', repeated: true },
    10: { name: 'tensors', type: 'TensorProto', repeated: true },
    11: { name: 'graphs', type: 'GraphProto', repeated: true },
  },
  ValueInfoProto: {
    1: { name: 'name', type: 'string' },
    2: { name: 'type', type: 'TypeProto' },
    3: { name: 'doc_string', type: 'string' },
  },
  TypeProto: {
    1: { name: 'tensor_type', type: 'TypeProtoTensor' },
    4: { name: 'sequence_type', type: 'TypeProtoSequence' },
    5: { name: 'map_type', type: 'TypeProtoMap' },
    9: { name: 'optional_type', type: 'TypeProtoSequence' },
    8: { name: 'sparse_tensor_type', type: 'TypeProtoTensor' },
    6: { name: 'denotation', type: 'string' },
  },
  TypeProtoTensor: {
    1: { name: 'elem_type', type: 'int32' },
    2: { name: 'shape', type: 'TensorShapeProto' },
  },
  TypeProtoSequence: {
    1: { name: 'elem_type', type: 'TypeProto' },
  },
  TypeProtoMap: {
    1: { name: 'key_type', type: 'int32' },
    2: { name: 'value_type', type: 'TypeProto' },
  },
  TensorShapeProto: {
    1: { name: 'dim', type: 'Dimension', repeated: true },
  },
  Dimension: {
    1: { name: 'dim_value', type: 'int64' },
    2: { name: 'dim_param', type: 'string' },
    3: { name: 'denotation', type: 'string' },
  },
  TensorProto: {
    1: { name: 'dims', type: 'int64', repeated: true },
    2: { name: 'data_type', type: 'int32' },
    4: { name: 'float_data', type: 'float', repeated: true, lazyPacked: true },
    5: { name: 'int32_data', type: 'int32', repeated: true, lazyPacked: true },
    6: { name: 'string_data', type: 'bytes', repeated: true },
    7: { name: 'int64_data', type: 'int64', repeated: true, lazyPacked: true },
    8: { name: 'name', type: 'string' },
    12: { name: 'doc_string', type: 'string' },
    9: { name: 'raw_data', type: 'lazy' },
    13: { name: 'external_data', type: 'StringStringEntryProto', repeated: true },
    14: { name: 'data_location', type: 'enum' },
    10: { name: 'double_data', type: 'double', repeated: true, lazyPacked: true },
    11: { name: 'uint64_data', type: 'uint64', repeated: true, lazyPacked: true },
  },
  FunctionProto: {
    1: { name: 'name', type: 'string' },
    4: { name: 'input', type: 'string', repeated: true },
    5: { name: 'output', type: 'string', repeated: true },
    7: { name: 'node', type: 'NodeProto', repeated: true },
    10: { name: 'domain', type: 'string' },
  },
};

/** TensorProto.DataType codes -> nnlens dtypes (undefined: not supported, e.g. complex, float8). */
export const ONNX_DTYPES: Record<number, import('../graph/tensor.ts').DType | undefined> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string',
  9: 'bool', 10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 16: 'bfloat16',
};

/** nnlens dtype -> TensorProto.DataType code. */
export function onnxDtypeCode(dtype: import('../graph/tensor.ts').DType): number {
  for (const [code, d] of Object.entries(ONNX_DTYPES)) if (d === dtype) return Number(code);
  throw new Error(`no ONNX data type for ${dtype}`);
}
