// Renders the PWA icons (192, 512 and a maskable 512) from public/icons/icon.svg with the system
// Chromium, so no icon is downloaded or hand-exported. Run: node client/scripts/render-icons.mjs
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';

const dir = fileURLToPath(new URL('../../public/icons/', import.meta.url));
const svg = readFileSync(`${dir}icon.svg`, 'utf8');

// Maskable: the platform may crop to a circle, so the glyph sits inside the central 80% safe zone
// on a full-bleed background.
const maskable = svg
  .replace('viewBox="0 0 64 64"', 'viewBox="-12 -12 88 88"')
  .replace('<rect width="64" height="64" rx="14"', '<rect x="-12" y="-12" width="88" height="88"');

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update'],
});
const page = await browser.newPage();
for (const [name, size, source, transparent] of [
  ['icon-192.png', 192, svg, true],
  ['icon-512.png', 512, svg, true],
  ['icon-maskable-512.png', 512, maskable, false],
]) {
  await page.setViewportSize({ width: size, height: size });
  await page.setContent(
    `<style>html,body{margin:0;background:transparent}svg{display:block;width:${size}px;height:${size}px}</style>${source}`,
  );
  await page.screenshot({ path: `${dir}${name}`, omitBackground: transparent });
}
await browser.close();
