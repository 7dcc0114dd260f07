/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): self time by function and by package,
 * so the benchmark's profile can be read without DevTools.
 *
 *   npx tsx bench/profile-summary.ts PROFILE.cpuprofile [--top 30]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function shortFile(url: string): string {
  return url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, 'node_modules/').replace(/^.*\/dist\//, 'dist/');
}

export function label(frame: ProfileNode['callFrame']): string {
  const file = shortFile(frame.url);
  return `${frame.functionName || '(anonymous)'} ${file ? `${file}:${frame.lineNumber + 1}` : ''}`.trim();
}

/** The package, the folder of dist/, Node's internals, or a V8 pseudo-frame such as (garbage collector). */
export function areaOf(frame: ProfileNode['callFrame']): string {
  const file = shortFile(frame.url);
  if (file.startsWith('node_modules/')) return file.split('/').slice(0, file.startsWith('node_modules/@') ? 3 : 2).join('/');
  if (file.startsWith('dist/')) return file.split('/').slice(0, 2).join('/');
  if (file.startsWith('node:')) return 'node: internals';
  return frame.functionName.startsWith('(') ? frame.functionName : 'other';
}

export function summarise(profile: Profile, top = 30): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMicros = new Map<number, number>();
  profile.samples.forEach((id, index) => selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));
  const total = [...selfMicros.values()].reduce((sum, value) => sum + value, 0);
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  for (const [id, micros] of selfMicros) {
    const frame = byId.get(id)!.callFrame;
    const name = label(frame);
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
    const area = areaOf(frame);
    byArea.set(area, (byArea.get(area) ?? 0) + micros);
  }
  // Inclusive time: a function's own samples plus everything it called (counted once per stack).
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const inclusive = new Map<string, number>();
  for (const [id, micros] of selfMicros) {
    const seen = new Set<string>();
    for (let current: number | undefined = id; current !== undefined; current = parentOf.get(current)) {
      const name = label(byId.get(current)!.callFrame);
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + micros);
    }
  }
  const rows = (map: Map<string, number>) =>
    [...map].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, micros]) => `${((micros / total) * 100).toFixed(1).padStart(5)}%  ${name}`);
  return [`total sampled ${(total / 1000).toFixed(0)} ms`, '', 'by area:', ...rows(byArea), '', 'by function (self time):', ...rows(byFunction), '', 'by function (inclusive time):', ...rows(inclusive)].join('\n');
}

if (process.argv[1]?.endsWith('profile-summary.ts')) {
  const path = process.argv[2];
  if (!path) throw new Error('usage: tsx bench/profile-summary.ts PROFILE.cpuprofile [--top N]');
  const topIndex = process.argv.indexOf('--top');
  process.stdout.write(`${summarise(JSON.parse(readFileSync(path, 'utf8')) as Profile, topIndex === -1 ? 30 : Number(process.argv[topIndex + 1]))}\n`);
}
