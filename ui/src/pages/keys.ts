/** Keys and budgets: spend against each key's and team's budget, and create, edit and revoke or delete. */
import { api } from '../api';
import { emptyState, h, usd } from '../dom';
import type { Page } from '../page';
import { teamsSection } from './teams-section';

function monthStart(): number {
  const now = new Date();
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
}

function usageBar(spent: number, budget: number | undefined): HTMLElement {
  if (budget === undefined) return h('span', { class: 'note' }, `${usd(spent)} this month, no budget`);
  const share = Math.min(1, spent / budget);
  return h('div', { class: 'usage', title: `${usd(spent)} of ${usd(budget)}` },
    h('div', { class: `usage-fill${share >= 0.9 ? ' bad' : ''}`, style: `width:${(share * 100).toFixed(1)}%` }),
    h('span', {}, `${usd(spent)} of ${usd(budget)}`));
}

export const keysPage: Page = {
  id: 'keys',
  title: 'Keys & budgets',
  async render(root) {
    const created = h('div', { class: 'created' });
    const list = h('div', {});
    const load = async () => {
      const [keys, spend] = await Promise.all([api('/api/keys'), api(`/api/spend?group_by=key&from=${monthStart()}`)]);
      const spentByKey = new Map<string, number>(spend.data.map((row: any) => [row.group, row.cost_usd]));
      list.replaceChildren(
        keys.data.length === 0
          ? emptyState('No keys yet.')
          : h('table', { class: 'keys' },
              h('thead', {}, h('tr', {}, ...['Name', 'Key', 'Team', 'Budget (month)', ''].map((title) => h('th', {}, title)))),
              h('tbody', {}, ...keys.data.map((key: any) =>
                h('tr', { 'data-key': key.id },
                  h('td', {}, key.name),
                  h('td', { class: 'mono' }, key.key_hint),
                  h('td', {}, key.team ?? ''),
                  h('td', {}, usageBar(spentByKey.get(key.id) ?? 0, key.budget_usd)),
                  h('td', { class: 'actions' },
                    h('button', { type: 'button', onclick: async () => {
                      const value = prompt(`Monthly budget in USD for ${key.name} (empty for none)`, key.budget_usd ?? '');
                      if (value === null) return;
                      await api('/api/keys/update', { method: 'POST', body: { id: key.id, budget_usd: value === '' ? null : Number(value) } });
                      await load();
                    } }, 'Edit budget'),
                    h('button', { type: 'button', class: 'danger', onclick: async () => {
                      if (!confirm(`Revoke ${key.name}? Requests with it fail at once.`)) return;
                      await api('/api/keys/revoke', { method: 'POST', body: { id: key.id } });
                      await load();
                    } }, 'Revoke')))))),
      );
    };
    const form = h('form', { class: 'filters', 'aria-label': 'Create a key' },
      h('label', {}, 'Name', h('input', { name: 'name', required: true, placeholder: 'team-a-prod' })),
      h('label', {}, 'Team', h('input', { name: 'team', placeholder: 'optional' })),
      h('label', {}, 'Budget USD / month', h('input', { name: 'budget_usd', type: 'number', min: '0', step: 'any', placeholder: 'none' })),
      h('button', { type: 'submit' }, 'Create key'));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const values = Object.fromEntries(new FormData(form).entries()) as Record<string, string>;
      const key = await api('/api/keys', { method: 'POST', body: { name: values.name, ...(values.team ? { team: values.team } : {}), ...(values.budget_usd ? { budget_usd: Number(values.budget_usd) } : {}) } });
      created.replaceChildren(h('p', {}, 'Copy the key now; it is not shown again: ', h('code', { class: 'secret' }, key.key)));
      form.reset();
      await load();
    });
    const teams = teamsSection();
    root.replaceChildren(h('div', { class: 'toolbar' }, h('h2', {}, 'Keys & budgets')), form, created, list, teams.element);
    await Promise.all([load(), teams.load()]);
  },
};
