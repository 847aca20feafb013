// state: the device slice, which compute path the engine worker reported (null until it answers).
import type { StateCreator } from 'zustand/vanilla';
import type { DeviceInfo } from '../engine/types';

export interface DeviceSlice {
  readonly device: DeviceInfo | null;
  setDevice(device: DeviceInfo): void;
}

export const createDeviceSlice: StateCreator<DeviceSlice> = (set) => ({
  device: null,
  setDevice: (device) => set({ device }),
});
