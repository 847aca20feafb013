// ui: the entry point: starts the engine worker for the app store and mounts <App/> into #root.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { startEngineClient } from '../state/engineClient';
import { appStore } from '../state/store';
import { App } from './App';
import './styles.css';

// ?backend=cpu forces the CPU reference (tests, and a way out when a GPU misbehaves).
const forceCpu = new URLSearchParams(window.location.search).get('backend') === 'cpu';
const engine = startEngineClient(appStore, { forceCpu });

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App onCancel={engine.cancel} />
  </StrictMode>,
);
