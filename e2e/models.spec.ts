// e2e (webgpu project): real models: a hub repo and a GGUF through a local hub server, dropped files, the inspector, a cancelled slow download, a 404 and a corrupt file.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { SYNTHETIC_SPEC } from '../src/spec/defaults';
import { startHubServer, type HubServer } from '../tests/support/hubServer';
import { f32TensorByHand } from '../tests/support/safetensorsByHand';
import { Playground } from './playground';
import { expectMatchesReference, referenceMetricsOf } from './reference';

const FIXTURES = path.resolve(process.cwd(), '../shared/fixtures'); // Playwright runs from the repo root
const GPT2 = path.join(FIXTURES, 'fake-gpt2-random');
const STORIES_GGUF = path.join(FIXTURES, 'stories260K', 'stories260K.gguf');
test.skip(!existsSync(GPT2), `${FIXTURES} is absent (a clone without ../shared): the model e2e tests need its fixtures`);

let hub: HubServer;
let slow: HubServer;
test.beforeAll(async () => {
  const corrupt = new Uint8Array(readFileSync(path.join(GPT2, 'model.safetensors')));
  new DataView(corrupt.buffer).setBigUint64(0, 4n * 2n ** 30n, true); // header claims 4 GiB
  hub = await startHubServer({
    repos: { 'lowbit-test/fake-gpt2-random': GPT2, 'lowbit-test/stories260K': path.dirname(STORIES_GGUF), 'lowbit-test/gated': GPT2 },
    gated: { 'lowbit-test/gated': 'hf_lowbit_e2e' },
    memory: { 'lowbit-test/corrupt': { 'config.json': readFileSync(path.join(GPT2, 'config.json')), 'model.safetensors': corrupt } },
  });
  slow = await startHubServer({ repos: { 'lowbit-test/fake-gpt2-random': GPT2 }, delayMs: 1500, bytesPerSecond: 4000 });
});
test.afterAll(async () => { await hub.close(); await slow.close(); });

test('a hub repo opens from its headers; the inspector lists its tensors; a picked tensor equals the CPU reference', async ({ page }, testInfo) => {
  const app = new Playground(page);
  await app.open(`/?hub=${encodeURIComponent(hub.url)}`, [hub.url]);
  await app.waitForResult();
  await app.openHubRepo('lowbit-test/fake-gpt2-random');
  await app.waitForResult();
  await expect(page.getByTestId('model-current')).toContainText('lowbit-test/fake-gpt2-random@main');
  await expect(page.getByTestId('model-current')).toContainText('GPT-2');

  const inspector = await app.inspector();
  await expect(inspector.getByTestId('model-totals')).toHaveAttribute('data-tensors', '16');
  await app.screenshot('model-inspector-gpt2.png', testInfo);
  await inspector.getByRole('button', { name: 'transformer.h.0.mlp.c_fc.weight' }).click();
  await app.waitForResult();
  await expect(page.getByRole('tab', { name: 'Tensor' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('control-tensor')).toHaveValue('transformer.h.0.mlp.c_fc.weight');

  const t = f32TensorByHand(path.join(GPT2, 'model.safetensors'), 'transformer.h.0.mlp.c_fc.weight');
  const ref = referenceMetricsOf(t.values, t.shape[0], t.shape[1], SYNTHETIC_SPEC.recipe);
  expectMatchesReference(await app.metrics(), ref, 'fake-gpt2 c_fc on WebGPU');
  expect(app.externalRequests).toEqual([]);
  await app.screenshot('model-tensor-gpt2.png', testInfo);
});

test('a GGUF through the hub and the same GGUF as a chosen file open with the same tensors', async ({ page }, testInfo) => {
  const app = new Playground(page);
  await app.open(`/?hub=${encodeURIComponent(hub.url)}`, [hub.url]);
  await app.waitForResult();
  await app.openHubRepo('lowbit-test/stories260K', { gguf: 'stories260K.gguf' });
  await app.waitForResult();
  await expect(page.getByTestId('model-current')).toContainText('Llama family');
  const viaHub = await app.metrics();
  let inspector = await app.inspector();
  await expect(inspector.getByTestId('model-totals')).toHaveAttribute('data-tensors', '48');

  await page.getByRole('tab', { name: 'Tensor' }).click();
  await app.chooseFiles([STORIES_GGUF]);
  await app.waitForResult();
  await expect(page.getByTestId('model-current')).toContainText('stories260K.gguf');
  expect(await app.metrics()).toEqual(viaHub); // same default tensor, same bytes, same numbers
  inspector = await app.inspector();
  await expect(inspector.getByTestId('model-totals')).toHaveAttribute('data-tensors', '48');
  await app.screenshot('model-inspector-gguf-file.png', testInfo);
});

test('a 404, a corrupt file and a wrong file each get a clear message, and the last result stays', async ({ page }, testInfo) => {
  const app = new Playground(page);
  await app.open(`/?hub=${encodeURIComponent(hub.url)}`, [hub.url]);
  await app.waitForResult();
  const before = await app.metrics();

  await app.openHubRepo('lowbit-test/does-not-exist');
  expect(await app.waitForError()).toMatch(/does-not-exist was not found.*Check the repo id/);
  expect(await app.metrics()).toEqual(before);
  await app.screenshot('model-error-404.png', testInfo);

  await app.openHubRepo('lowbit-test/corrupt');
  expect(await app.waitForError()).toMatch(/not a safetensors file|header/i);
  expect(await app.metrics()).toEqual(before);

  await page.getByTestId('open-model-picker').click();
  await app.chooseFiles([path.join(GPT2, 'config.json')]);
  await expect(page.getByTestId('model-picker').getByRole('alert')).toContainText('.gguf file or .safetensors weights');
  await app.screenshot('model-error-wrong-file.png', testInfo);
});

test('a slow download shows its bytes and can be cancelled; the previous result stays', async ({ page }, testInfo) => {
  const app = new Playground(page);
  await app.open(`/?hub=${encodeURIComponent(slow.url)}`, [slow.url]);
  await app.waitForResult();
  const before = await app.metrics();
  await app.openHubRepo('lowbit-test/fake-gpt2-random');
  await expect(page.getByRole('progressbar')).toBeVisible({ timeout: 20_000 });
  await expect(app.status).toContainText(/reading|opening/i);
  await app.screenshot('model-slow-download.png', testInfo);
  await app.status.getByRole('button', { name: 'Cancel' }).click();
  await expect(app.status).toHaveAttribute('data-state', 'cancelled');
  expect(await app.metrics()).toEqual(before);
});

test('a dropped model folder opens like the hub repo; a gated repo asks for a token and opens with it, which stays out of the page state', async ({ page }, testInfo) => {
  const app = new Playground(page);
  await app.open(`/?hub=${encodeURIComponent(hub.url)}`, [hub.url]);
  await app.waitForResult();
  await app.openModelPicker();
  const files = ['config.json', 'model.safetensors', 'tokenizer.json'].map((name) => ({ name, base64: readFileSync(path.join(GPT2, name)).toString('base64') }));
  // A real drop event with a DataTransfer holding the three files, as a person dragging them in makes.
  await page.getByTestId('drop-zone').evaluate((zone, dropped) => {
    const dt = new DataTransfer();
    for (const f of dropped) dt.items.add(new File([Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0))], f.name));
    zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, files);
  await app.waitForResult();
  await expect(page.getByTestId('model-current')).toContainText('model.safetensors');
  await expect(page.getByTestId('model-current')).toContainText('GPT-2');
  const dropped = await app.metrics();

  await app.openHubRepo('lowbit-test/gated');
  expect(await app.waitForError()).toMatch(/gated or private.*Open another model… → Token for gated repos/);
  await app.openModelPicker();
  await page.getByTestId('model-picker').getByText('Token for gated repos').click();
  await page.getByTestId('hub-token').fill('hf_lowbit_e2e');
  await page.getByRole('button', { name: 'Use', exact: true }).click();
  await app.waitForResult();
  expect(await app.metrics()).toEqual(dropped); // same files, same default tensor, same numbers
  await expect(page.getByTestId('model-picker')).toContainText('(token set)');
  expect(page.url()).not.toContain('hf_lowbit_e2e');
  expect(await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }))).not.toContain('hf_lowbit_e2e');
  await app.screenshot('model-gated-token.png', testInfo);
});
