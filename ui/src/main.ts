/**
 * The dashboard shell: log in with the admin key, then a nav of the pages (pages/index.ts) and
 * the page named by the URL fragment (`#/requests`).
 */
import { api, ApiError, session } from './api';
import { h } from './dom';
import { PAGES } from './pages/index';

const app = document.getElementById('app')!;

function login(message = ''): void {
  const input = h('input', { type: 'password', name: 'admin-key', placeholder: 'Admin key', autocomplete: 'current-password', required: true });
  const form = h('form', { class: 'login' }, h('h1', {}, 'Switchboard'), h('p', {}, 'Log in with the gateway\'s admin key.'), input, h('button', { type: 'submit' }, 'Log in'), message ? h('p', { class: 'bad' }, message) : null);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    session.key = input.value;
    try {
      await api('/api/health/deployments');
      show();
    } catch (error) {
      session.key = '';
      login(error instanceof ApiError && (error.status === 401 || error.status === 403) ? 'That is not the admin key.' : String(error));
    }
  });
  app.replaceChildren(form);
  input.focus();
}

function show(): void {
  const id = location.hash.replace(/^#\/?/, '') || PAGES[0]!.id;
  const page = PAGES.find((candidate) => candidate.id === id) ?? PAGES[0]!;
  const content = h('main', { 'data-page': page.id });
  const nav = h('nav', {},
    h('span', { class: 'brand' }, 'Switchboard'),
    ...PAGES.map((entry) => h('a', { href: `#/${entry.id}`, class: entry.id === page.id ? 'active' : '' }, entry.title)),
    h('button', { type: 'button', class: 'logout', onclick: () => { session.key = ''; login(); } }, 'Log out'));
  app.replaceChildren(nav, content);
  page.render(content).catch((error: unknown) => {
    if (error instanceof ApiError && error.status === 401) return login('Your admin key was refused; log in again.');
    content.append(h('p', { class: 'bad' }, `Could not load: ${error instanceof Error ? error.message : String(error)}`));
  });
}

window.addEventListener('hashchange', () => (session.key ? show() : login()));
if (session.key) show();
else login();
