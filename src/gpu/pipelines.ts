// gpu: compute pipeline cache keyed by shader, entry point and override constants.
import { shaderSource } from './shaders';

export class PipelineCache {
  private readonly modules = new Map<string, GPUShaderModule>();
  private readonly pipelines = new Map<string, GPUComputePipeline>();

  constructor(private readonly device: GPUDevice) {}

  /** The pipeline for `shader`'s `entry` with these override constants (created once). */
  get(shader: string, entry: string, constants: Record<string, number> = {}): GPUComputePipeline {
    const key = `${shader}:${entry}:${JSON.stringify(Object.entries(constants).sort())}`;
    let pipeline = this.pipelines.get(key);
    if (!pipeline) {
      pipeline = this.device.createComputePipeline({
        label: `${shader}.${entry}`,
        layout: 'auto',
        compute: { module: this.module(shader), entryPoint: entry, constants },
      });
      this.pipelines.set(key, pipeline);
    }
    return pipeline;
  }

  private module(shader: string): GPUShaderModule {
    let m = this.modules.get(shader);
    if (!m) {
      m = this.device.createShaderModule({ label: shader, code: shaderSource(shader) });
      this.modules.set(shader, m);
    }
    return m;
  }
}
