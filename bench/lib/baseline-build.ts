/**
 * A production build of another commit, for `npm run bench -- --baseline-ref REF`: the
 * baseline target runs it beside the current build, in the same run, on the same fake
 * upstream, so "no more CPU per request than before" is read within one run instead of across
 * machines and days. The checkout is a detached git worktree in the temp directory
 * (switchboard-baseline/<sha>), outside the repo so no test or type check picks it up; it is
 * installed and built once and reused by later runs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './targets.js';

export function prepareBaseline(ref: string, log: (line: string) => void): string {
  const sha = execFileSync('git', ['rev-parse', '--verify', `${ref}^{commit}`], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  const parent = join(tmpdir(), 'switchboard-baseline');
  const directory = join(parent, sha.slice(0, 12));
  if (existsSync(join(directory, 'dist', 'cli', 'main.js'))) return directory;
  mkdirSync(parent, { recursive: true });
  log(`building the baseline ${ref} (${sha.slice(0, 12)}) in ${directory}…`);
  if (!existsSync(directory)) execFileSync('git', ['worktree', 'add', '--detach', directory, sha], { cwd: REPO_ROOT, stdio: 'inherit' });
  // One commit of this repo (a523a41) has a `node_modules` symlink in its tree, to another
  // checkout's packages: `npm ci` would empty that checkout's node_modules through it.
  const packages = join(directory, 'node_modules');
  if (isSymlink(packages)) unlinkSync(packages);
  // `npm ci` runs `prepare`, which builds dist/.
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: directory, stdio: 'inherit' });
  if (!existsSync(join(directory, 'dist', 'cli', 'main.js'))) execFileSync('npm', ['run', 'build'], { cwd: directory, stdio: 'inherit' });
  return directory;
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
