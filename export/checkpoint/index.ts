export type { Checkpoint, DType, TensorInfo, TensorToWrite, UnreadableDType, WritableDType } from './types.ts';
export { isReadableDType } from './types.ts';
export { CheckpointError } from './errors.ts';
export { openCheckpoint, openTensorFile } from './open.ts';
export { openSafetensors, writeSafetensors } from './safetensors.ts';
export { openTorchZip, writeTorchZip } from './torch.ts';
export { writeShardedCheckpoint, type ShardFormat } from './shards.ts';
