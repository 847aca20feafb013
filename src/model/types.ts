// model: shared types of model loading (byte sources, tensor directories, progress), used by every loader.

/** Random access to the bytes of one file, wherever it lives (HTTP with Range, a browser File, a Node buffer). */
export interface ByteSource {
  /** File name as the user knows it ("model.safetensors"), used in messages. */
  readonly name: string;
  /** Total size in bytes. */
  readonly size: number;
  /**
   * Bytes [start, end) of the file. Rejects with a ModelLoadError when the range is outside the file or
   * the read fails, and with an AbortError DOMException when `signal` aborts.
   */
  read(start: number, end: number, signal?: AbortSignal): Promise<Uint8Array>;
}

/** Element types a tensor can be stored as, in safetensors and GGUF naming. */
export type TensorDType =
  | 'F64' | 'F32' | 'F16' | 'BF16' | 'F8_E4M3' | 'F8_E5M2'
  | 'I64' | 'I32' | 'I16' | 'I8' | 'U8'
  | 'Q8_0' | 'Q4_0' | 'Q4_1' | 'Q5_0' | 'Q5_1' | 'Q4_K' | 'Q6_K';

/** Where one tensor's bytes are, and how to read them. Shape is row-major, outermost first (PyTorch order). */
export interface TensorEntry {
  readonly name: string;
  readonly dtype: TensorDType;
  readonly shape: readonly number[];
  /** Absolute byte offset of the tensor data in `file`. */
  readonly byteOffset: number;
  readonly byteLength: number;
  /** Which file of the model holds it (shards, GGUF). */
  readonly file: string;
}

/** Bytes-so-far progress of a download or read. `total` is 0 when unknown. */
export interface ByteProgress {
  readonly loaded: number;
  readonly total: number;
  /** What is being read ("model.safetensors header"). */
  readonly label: string;
}
export type ByteProgressFn = (p: ByteProgress) => void;

/** Codes of loading failures, so the UI can say what to do. */
export type ModelLoadErrorCode =
  | 'not-found' | 'unauthorized' | 'network' | 'http' | 'corrupt' | 'unsupported' | 'too-large' | 'quota';

/** A loading failure with a message that says what happened and what to do. */
export class ModelLoadError extends Error {
  constructor(readonly code: ModelLoadErrorCode, message: string) {
    super(message);
    this.name = 'ModelLoadError';
  }
}
