// gpu: typed errors, so the engine can tell "no WebGPU" from "device lost" from "our bug".

/** navigator.gpu is missing or no adapter/device could be had. */
export class GpuUnavailableError extends Error {
  constructor(message: string) { super(message); this.name = 'GpuUnavailableError'; }
}

/** The device was lost (driver reset, tab backgrounded too long, destroy()). */
export class GpuDeviceLostError extends Error {
  constructor(readonly reason: string, message: string) { super(message); this.name = 'GpuDeviceLostError'; }
}

/** A validation or out-of-memory error reported by an error scope around our own work. */
export class GpuValidationError extends Error {
  constructor(message: string) { super(message); this.name = 'GpuValidationError'; }
}
