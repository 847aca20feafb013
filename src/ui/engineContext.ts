// ui: the engine client as React context, for the controls that talk to the engine directly (hub token, dropped files, retry).
import { createContext, useContext } from 'react';
import type { EngineClient } from '../state/engineClient';

export const EngineContext = createContext<EngineClient | null>(null);

/** The app's engine client; throws outside <EngineContext.Provider> (a wiring bug, not a user error). */
export function useEngine(): EngineClient {
  const engine = useContext(EngineContext);
  if (!engine) throw new Error('useEngine needs <EngineContext.Provider>');
  return engine;
}
