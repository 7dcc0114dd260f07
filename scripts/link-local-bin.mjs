#!/usr/bin/env node
/**
 * Makes `npx switchboard …` run this checkout's CLI after `npm ci`.
 *
 * npm links the bins of dependencies into node_modules/.bin, but never the root package's own
 * bin. Without this link, `npx switchboard` in a fresh clone looks the name up on the npm
 * registry (where an unrelated package of that name exists) instead of running our build.
 * Runs from `prepare`, after the build, so the target exists.
 */
import { chmodSync, existsSync, lstatSync, mkdirSync, symlinkSync, unlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'dist', 'cli', 'main.js');
const binDirectory = join(root, 'node_modules', '.bin');
const link = join(binDirectory, 'switchboard');

if (!existsSync(target)) {
  console.error(`link-local-bin: ${relative(root, target)} is missing; run npm run build first`);
  process.exit(1);
}
chmodSync(target, 0o755);
mkdirSync(binDirectory, { recursive: true });
try {
  if (lstatSync(link)) unlinkSync(link);
} catch {
  // No previous link.
}
symlinkSync(relative(binDirectory, target), link);
