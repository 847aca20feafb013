// ui: the entry point: opens the link in the address, starts the engine worker for the app store (hub address from ?hub=) starts loading the chart library and mounts <App/> into #root.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { startEngineClient } from '../state/engineClient';
import { startLinkSync } from '../state/linkSync';
import { appStore } from '../state/store';
import { DEFAULT_HUB_HOST } from '../state/sourceSlice';
import { App } from './App';
import { loadPlotly } from './charts/loadPlotly';
import { EngineContext } from './engineContext';
import './styles.css';

// ?backend=cpu forces the CPU reference (tests, and a way out when a GPU misbehaves).
const forceCpu = new URLSearchParams(window.location.search).get('backend') === 'cpu';
// The experiment in the address (#s=...) is opened first and the address then follows the spec.
startLinkSync(appStore, window);
const engine = startEngineClient(appStore, { forceCpu });
// ?hub=<url> points the hub client at a mirror (tests use a local server with the hub's layout).
const hub = new URLSearchParams(window.location.search).get('hub');
if (hub && /^https?:\/\/\S+$/.test(hub)) engine.setHub(hub.replace(/\/+$/, ''), null);
else appStore.getState().setHubSettings(DEFAULT_HUB_HOST, false);

// The chart library loads while the engine computes the first result, not after it (a failure
// here is retried by the first chart, which then says what went wrong).
loadPlotly().catch(() => {});

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <EngineContext.Provider value={engine}>
      <App onCancel={engine.cancel} />
    </EngineContext.Provider>
  </StrictMode>,
);
