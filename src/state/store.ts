// state: the one app store, built from the spec, run, device, source and evaluation slices, and its React hook.
import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import { createDeviceSlice, type DeviceSlice } from './deviceSlice';
import { createEvalSlice, type EvalSlice } from './evalSlice';
import { createRunSlice, type RunSlice } from './runSlice';
import { createSourceSlice, type SourceSlice } from './sourceSlice';
import { createSpecSlice, type SpecSlice } from './specSlice';

export type AppState = SpecSlice & RunSlice & DeviceSlice & SourceSlice & EvalSlice;
export type AppStore = StoreApi<AppState>;

/** A fresh store (tests make their own; the app uses `appStore`). */
export function createAppStore(): AppStore {
  return createStore<AppState>()((...a) => ({
    ...createSpecSlice(...a),
    ...createRunSlice(...a),
    ...createDeviceSlice(...a),
    ...createSourceSlice(...a),
    ...createEvalSlice(...a),
  }));
}

/** The app's store. */
export const appStore = createAppStore();

/** Selects from the app store in a component, re-rendering when the selected value changes. */
export function useAppStore<T>(selector: (state: AppState) => T): T {
  return useStore(appStore, selector);
}
