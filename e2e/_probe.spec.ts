import { test, expect } from '@playwright/test';
test('probe', async ({ page, context }) => {
  context.on('response', (r) => { if (r.status() >= 400) console.log('HTTP', r.status(), r.url()); });
  context.on('request', (r) => console.log('REQ', r.url()));
  page.on('console', (m) => console.log('console:', m.type(), m.text(), JSON.stringify(m.location())));
  await page.goto('/');
  await expect(page.getByTestId('status-line')).toHaveAttribute('data-state', 'done', { timeout: 60000 });
});
