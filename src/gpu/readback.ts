// gpu: copying buffers back to the CPU through one staging buffer (one map per job, always unmapped).

/**
 * Encodes copies of `sources` into one staging buffer, submits the encoder, maps once and returns
 * each source's bytes. One map per readback: concurrent mapAsync calls crash Dawn in Node.
 */
export async function readBuffers(device: GPUDevice, encoder: GPUCommandEncoder, sources: GPUBuffer[]): Promise<ArrayBuffer[]> {
  const offsets: number[] = [];
  let total = 0;
  for (const src of sources) { offsets.push(total); total += src.size; }
  const staging = device.createBuffer({ size: total, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: 'readback.staging' });
  sources.forEach((src, k) => encoder.copyBufferToBuffer(src, 0, staging, offsets[k], src.size));
  device.queue.submit([encoder.finish()]);
  try {
    await staging.mapAsync(GPUMapMode.READ);
    const bytes = staging.getMappedRange();
    return sources.map((src, k) => bytes.slice(offsets[k], offsets[k] + src.size));
  } finally {
    if (staging.mapState === 'mapped') staging.unmap();
    staging.destroy();
  }
}
