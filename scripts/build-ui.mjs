// Bundles the dashboard (ui/) into dist/ui with esbuild: one script, one stylesheet (uPlot's
// included), and the page. Run by `npm run build`; the gateway serves the result at /ui.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'ui');
mkdirSync(out, { recursive: true });
await build({
  entryPoints: { app: join(root, 'ui/src/main.ts'), style: join(root, 'ui/src/style.css') },
  outdir: out,
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es2020',
  legalComments: 'none',
  logLevel: 'warning',
});
copyFileSync(join(root, 'ui/index.html'), join(out, 'index.html'));
