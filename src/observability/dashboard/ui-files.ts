/**
 * `GET /ui`: the dashboard, served by the gateway itself from the files `npm run build` writes
 * to dist/ui (scripts/build-ui.mjs bundles ui/ with esbuild; no CDN, no second server). The
 * page itself is public, like a login form: everything it shows comes from /api/*, which needs
 * the admin key the user types in.
 *
 * The files are read once, on the first request, and kept in memory (a few hundred KB).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NotFoundError } from '../../errors/index.js';
import type { Gateway } from '../../server/gateway.js';
import type { HttpRoutes } from '../../server/http-routes.js';
import type { RequestContext } from '../../server/request-context.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json',
};

interface UiFile {
  body: Buffer;
  contentType: string;
}

let files: Map<string, UiFile> | undefined;

/** dist/ui of this package, found from this module's own place (src/… under tsx, dist/… when built). */
export function uiDirectory(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(directory, 'package.json'))) {
    const parent = dirname(directory);
    if (parent === directory) break;
    directory = parent;
  }
  return join(directory, 'dist', 'ui');
}

function loadFiles(): Map<string, UiFile> {
  const directory = uiDirectory();
  const loaded = new Map<string, UiFile>();
  if (!existsSync(directory)) return loaded;
  for (const name of readdirSync(directory)) {
    const contentType = CONTENT_TYPES[extname(name)];
    if (contentType) loaded.set(name, { body: readFileSync(join(directory, name)), contentType });
  }
  return loaded;
}

export function addUiRoutes(routes: HttpRoutes): void {
  routes.add('GET', '/ui', serveUiFile).add('GET', '/ui/{file}', serveUiFile);
}

async function serveUiFile(_gateway: Gateway, context: RequestContext): Promise<void> {
  files ??= loadFiles();
  const name = context.params.file ?? 'index.html';
  const file = files.get(name);
  if (!file) {
    throw new NotFoundError(files.size === 0 ? 'The dashboard is not built: run `npm run build`.' : `No dashboard file '${name}'.`);
  }
  context.response.writeHead(200, {
    ...context.headers,
    'content-type': file.contentType,
    'content-length': file.body.length,
    // The HTML is small and names the bundles; the bundles are rebuilt under the same names, so nothing is cached for long.
    'cache-control': 'no-cache',
  });
  context.response.end(file.body);
}
