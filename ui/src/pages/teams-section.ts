/**
 * Teams on the Keys page: each team's spend in its current budget window against its budget
 * (from /api/teams, which computes both), and create, edit the budget, delete. Teams from the
 * config file are shown read-only: the file takes precedence (docs/governance.md).
 */
import { api, ApiError } from '../api';
import { emptyState, h, usd } from '../dom';

const PER: Record<string, string> = { day: 'day', week: 'week', month: 'month' };

function teamUsageBar(team: any): HTMLElement {
  const spent: number = team.usage?.cost_usd ?? 0;
  const period = PER[team.budget_period] ?? team.budget_period;
  if (team.budget_usd === undefined) return h('span', { class: 'note' }, `${usd(spent)} this ${period}, no budget`);
  const share = Math.min(1, spent / team.budget_usd);
  return h('div', { class: 'usage', title: `${usd(spent)} of ${usd(team.budget_usd)} this ${period}` },
    h('div', { class: `usage-fill${share >= 0.9 ? ' bad' : ''}`, style: `width:${(share * 100).toFixed(1)}%` }),
    h('span', {}, `${usd(spent)} of ${usd(team.budget_usd)}/${period}`));
}

export function teamsSection(): { element: HTMLElement; load(): Promise<void> } {
  const list = h('div', {});
  const problem = h('p', { class: 'bad', role: 'alert' });
  const act = async (action: () => Promise<unknown>) => {
    problem.textContent = '';
    try {
      await action();
    } catch (error) {
      problem.textContent = error instanceof ApiError ? error.message : String(error);
    }
    await load();
  };
  const load = async () => {
    const teams = await api('/api/teams');
    list.replaceChildren(
      teams.data.length === 0
        ? emptyState('No teams yet. A key joins a team by its team name.')
        : h('table', { class: 'keys teams' },
            h('thead', {}, h('tr', {}, ...['Team', 'Budget (this period)', 'Rate limit', ''].map((title) => h('th', {}, title)))),
            h('tbody', {}, ...teams.data.map((team: any) =>
              h('tr', { 'data-team': team.name },
                h('td', {}, team.name),
                h('td', {}, teamUsageBar(team)),
                h('td', {}, [team.rpm ? `${team.rpm} rpm` : '', team.tpm ? `${team.tpm} tpm` : ''].filter(Boolean).join(', ') || '–'),
                h('td', { class: 'actions' },
                  team.source === 'config'
                    ? h('span', { class: 'note', title: 'Defined in switchboard.yaml, which takes precedence: change it there.' }, 'from config')
                    : h('span', { class: 'actions' },
                        h('button', { type: 'button', onclick: () => {
                          const value = prompt(`Budget in USD per ${team.budget_period} for team ${team.name} (empty for none)`, team.budget_usd ?? '');
                          if (value === null) return;
                          void act(() => api('/api/teams/update', { method: 'POST', body: { name: team.name, budget_usd: value === '' ? null : Number(value) } }));
                        } }, 'Edit budget'),
                        h('button', { type: 'button', class: 'danger', onclick: () => {
                          if (!confirm(`Delete team ${team.name}? Its limits stop applying at once; its keys keep working.`)) return;
                          void act(() => api('/api/teams/delete', { method: 'POST', body: { name: team.name } }));
                        } }, 'Delete'))))))),
    );
  };
  const form = h('form', { class: 'filters', 'aria-label': 'Create a team' },
    h('label', {}, 'Team', h('input', { name: 'team-name', required: true, placeholder: 'research' })),
    h('label', {}, 'Budget USD', h('input', { name: 'team-budget', type: 'number', min: '0', step: 'any', placeholder: 'none' })),
    h('label', {}, 'Per', h('select', { name: 'team-period' }, ...['month', 'week', 'day'].map((period) => h('option', { value: period }, period)))),
    h('label', {}, 'Requests / minute', h('input', { name: 'team-rpm', type: 'number', min: '1', step: '1', placeholder: 'none' })),
    h('button', { type: 'submit' }, 'Create team'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const values = Object.fromEntries(new FormData(form).entries()) as Record<string, string>;
    const body = {
      name: values['team-name'],
      budget_period: values['team-period'],
      ...(values['team-budget'] ? { budget_usd: Number(values['team-budget']) } : {}),
      ...(values['team-rpm'] ? { rpm: Number(values['team-rpm']) } : {}),
    };
    void act(async () => {
      await api('/api/teams', { method: 'POST', body });
      form.reset();
    });
  });
  return { element: h('section', { class: 'teams-section' }, h('h3', {}, 'Teams'), form, problem, list), load };
}
