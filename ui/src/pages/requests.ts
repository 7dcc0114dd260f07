/** Requests: the log filtered by key, model, route, status, time and text; a row opens its detail. */
import { api, query } from '../api';
import { emptyState, h, milliseconds, time, usd } from '../dom';
import type { Page } from '../page';

const FIELDS = [
  { name: 'q', label: 'Text', placeholder: 'id, error, metadata, body…' },
  { name: 'model', label: 'Model', placeholder: 'gpt-4o-mini' },
  { name: 'route', label: 'Route', placeholder: 'auto' },
  { name: 'key', label: 'Key id', placeholder: 'key_…' },
  { name: 'status', label: 'Status', placeholder: '200, 4xx, error' },
] as const;

function detail(record: any): HTMLElement {
  const rows: Array<[string, string]> = [
    ['Id', record.id],
    ['Time', time(record.timestamp)],
    ['Endpoint', `${record.endpoint} (${record.surface ?? '–'})`],
    ['Model', `${record.requested_model ?? '–'} → ${record.served_model ?? '–'} (${record.provider ?? '–'})`],
    ['Route decision', record.route ? `${record.route}: ${record.route_decision} — ${record.route_reason ?? ''}${record.router_score === null ? '' : ` (score ${record.router_score.toFixed(4)})`}` : '–'],
    ['Status', `${record.status}${record.error_code ? ` ${record.error_code}: ${record.error_message}` : ''}`],
    ['Tokens', `${record.prompt_tokens} in, ${record.completion_tokens} out, ${record.cached_tokens} cached`],
    ['Cost', `${usd(record.cost_usd)}${record.baseline_cost_usd === null ? '' : ` (flagship ${usd(record.baseline_cost_usd)})`}`],
    ['Latency', `${milliseconds(record.latency_ms)}${record.ttft_ms === null ? '' : `, first token ${milliseconds(record.ttft_ms)}`}`],
    ['Key / team / user', [record.key_id, record.team, record.end_user].map((value) => value ?? '–').join(' / ')],
    ['Cache / guardrails', `${record.cache_status ?? '–'} / ${record.guardrails ?? '–'}`],
  ];
  return h(
    'section',
    { class: 'detail', 'data-request': record.id },
    h('h3', {}, 'Request'),
    h('dl', {}, ...rows.flatMap(([label, value]) => [h('dt', {}, label), h('dd', {}, value)])),
    h('h3', {}, 'Attempts'),
    record.attempts.length === 0
      ? emptyState('No upstream call.')
      : h('table', {}, h('thead', {}, h('tr', {}, ...['#', 'Deployment', 'Status', 'Error', 'Latency', 'Cost'].map((title) => h('th', {}, title)))),
          h('tbody', {}, ...record.attempts.map((attempt: any, index: number) => h('tr', {}, h('td', {}, index + 1), h('td', {}, attempt.deployment), h('td', {}, attempt.status ?? '–'), h('td', {}, attempt.error_code ?? ''), h('td', {}, milliseconds(attempt.latency_ms)), h('td', {}, attempt.cost_usd === undefined ? '' : usd(attempt.cost_usd)))))),
    h('h3', {}, 'Bodies'),
    record.request_body || record.response_body
      ? h('div', { class: 'bodies' }, h('pre', {}, record.request_body ?? ''), h('pre', {}, record.response_body ?? ''))
      : emptyState('Bodies are not kept (storage.log_bodies is off).'),
  );
}

export const requestsPage: Page = {
  id: 'requests',
  title: 'Requests',
  async render(root) {
    const results = h('div', { class: 'results' });
    const panel = h('div', { class: 'detail-panel' });
    const form = h('form', { class: 'filters', 'aria-label': 'Filter requests' },
      ...FIELDS.map((field) => h('label', {}, field.label, h('input', { name: field.name, placeholder: field.placeholder, autocomplete: 'off' }))),
      h('label', {}, 'From', h('input', { name: 'from', type: 'datetime-local' })),
      h('label', {}, 'To', h('input', { name: 'to', type: 'datetime-local' })),
      h('button', { type: 'submit' }, 'Filter'),
    );
    const load = async () => {
      const values = Object.fromEntries(new FormData(form).entries()) as Record<string, string>;
      const asTime = (value: string) => (value ? new Date(value).getTime() : undefined);
      const list = await api(`/api/requests/search${query({ ...values, from: asTime(values.from ?? ''), to: asTime(values.to ?? ''), limit: 200 })}`);
      results.replaceChildren(
        list.data.length === 0
          ? emptyState('No request matches.')
          : h('table', { class: 'requests' },
              h('thead', {}, h('tr', {}, ...['Time', 'Model', 'Route', 'Status', 'Cost', 'Latency', 'Key'].map((title) => h('th', {}, title)))),
              h('tbody', {}, ...list.data.map((record: any) =>
                h('tr', { 'data-id': record.id, tabindex: 0, onclick: () => void open(record.id) },
                  h('td', {}, time(record.timestamp)),
                  h('td', {}, record.served_model ?? record.requested_model ?? '–'),
                  h('td', {}, record.route ? `${record.route} (${record.route_decision})` : ''),
                  h('td', { class: record.status >= 400 ? 'bad' : '' }, record.status),
                  h('td', {}, usd(record.cost_usd)),
                  h('td', {}, milliseconds(record.latency_ms)),
                  h('td', {}, record.key_id ?? ''))))),
      );
    };
    const open = async (id: string) => {
      panel.replaceChildren(detail(await api(`/api/requests/${encodeURIComponent(id)}`)));
      panel.scrollIntoView({ block: 'nearest' });
    };
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void load();
    });
    root.replaceChildren(h('div', { class: 'toolbar' }, h('h2', {}, 'Requests')), form, h('div', { class: 'split' }, results, panel));
    await load();
  },
};
