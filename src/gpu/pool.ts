// gpu: a buffer pool keyed by size and usage; buffers go back only after the work using them is done.

export class BufferPool {
  private readonly free = new Map<string, GPUBuffer[]>();
  private readonly live = new Set<GPUBuffer>();

  constructor(private readonly device: GPUDevice) {}

  /** A buffer of exactly `size` bytes (rounded up to 4) with `usage`; reused when one is free. */
  acquire(size: number, usage: GPUBufferUsageFlags, label: string): GPUBuffer {
    const bytes = Math.max(4, Math.ceil(size / 4) * 4);
    const key = `${bytes}:${usage}`;
    const buffer = this.free.get(key)?.pop() ?? this.device.createBuffer({ size: bytes, usage, label });
    buffer.label = label;
    this.live.add(buffer);
    return buffer;
  }

  /** Returns buffers once the queue has finished the submitted work that reads them. */
  async releaseAfterSubmit(buffers: GPUBuffer[]): Promise<void> {
    await this.device.queue.onSubmittedWorkDone();
    for (const b of buffers) {
      if (!this.live.delete(b)) continue;
      const key = `${b.size}:${b.usage}`;
      const list = this.free.get(key) ?? [];
      list.push(b);
      this.free.set(key, list);
    }
  }

  /** Destroys every buffer, free or in use. */
  destroy(): void {
    for (const list of this.free.values()) for (const b of list) b.destroy();
    for (const b of this.live) b.destroy();
    this.free.clear();
    this.live.clear();
  }
}
