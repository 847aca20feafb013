// model (gpu): the WebGPU forward pass in one import: models (fp32 or packed low-bit linear layers), sessions, perplexity, KL comparison, generation.
export { compareGpu, type GpuComparison, type PassHooks, perplexityGpu } from './evaluate';
export { generateGpu, type GenerateGpuOptions } from './generate';
export { createGpuModel, type GpuModel, type GpuModelOptions, type GpuSession, type RowScores } from './model';
export { denseLinear, type LinearPacker } from './weights';
