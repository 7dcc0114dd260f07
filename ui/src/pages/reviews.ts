/**
 * Reviews: the human review queue (`GET /api/reviews`). Each comparison shows the prompt and both
 * answers side by side with the words only one of them says marked, and three vote buttons that
 * post `POST /api/reviews/{id}`; a voted comparison leaves the queue. "Reviewed" lists past verdicts.
 */
import { diffWords, type DiffSegment } from '../../../src/shadow/word-diff.js';
import { api, query } from '../api';
import { emptyState, h, milliseconds, preciseUsd, time } from '../dom';
import type { Page } from '../page';

const VERDICTS = [
  { verdict: 'weak_ok', label: 'Weak is OK' },
  { verdict: 'strong_better', label: 'Strong is better' },
  { verdict: 'both_bad', label: 'Both bad' },
] as const;

function marked(segments: DiffSegment[]): HTMLElement {
  return h('pre', { class: 'answer-text' }, ...segments.map((segment) => (segment.marked ? h('mark', {}, segment.text) : segment.text)));
}

function answerColumn(side: 'weak' | 'strong', comparison: any, segments: DiffSegment[]): HTMLElement {
  const answer = comparison[side];
  return h('div', { class: 'answer', 'data-side': side },
    h('h4', {}, `${answer.model} (${side})`, comparison.served === side ? h('span', { class: 'badge' }, 'served') : null),
    h('div', { class: 'note' }, `${preciseUsd(answer.cost_usd)} · ${milliseconds(answer.latency_ms)} · ${answer.completion_tokens} tokens out`),
    marked(segments));
}

function summary(comparison: any): string {
  const diff = comparison.diff;
  const judge = comparison.judgement ? `judge: P(strong better) = ${comparison.judgement.label.toFixed(2)}` : 'not judged';
  const similarity = diff.exact_match ? 'identical' : `token similarity ${diff.token_similarity.toFixed(2)}, length ratio ${diff.length_ratio.toFixed(2)}`;
  const json = diff.json ? `, JSON ${diff.json.equal ? 'equal' : `${diff.json.differences.length} differences`}` : '';
  return `${judge} · ${similarity}${json}`;
}

function reviewCard(comparison: any, onVoted: (card: HTMLElement) => void): HTMLElement {
  const diff = diffWords(comparison.weak.answer, comparison.strong.answer);
  const card = h('article', { class: 'review', 'data-review': comparison.id },
    h('div', { class: 'review-head' }, h('strong', {}, `route ${comparison.route}`), h('span', { class: 'note' }, `${time(Date.parse(comparison.created_at))} · ${comparison.id}`)),
    h('div', { class: 'note' }, summary(comparison)),
    h('h4', {}, 'Prompt'),
    h('pre', { class: 'prompt' }, comparison.prompt),
    h('div', { class: 'answers' }, answerColumn('weak', comparison, diff.left), answerColumn('strong', comparison, diff.right)));
  if (comparison.review?.status === 'reviewed') {
    card.append(h('p', { class: 'verdict' }, `Verdict: ${comparison.review.verdict}`, comparison.review.note ? ` — ${comparison.review.note}` : ''));
    return card;
  }
  const note = h('input', { name: 'note', placeholder: 'Note (optional)', autocomplete: 'off' });
  const status = h('span', { class: 'bad' });
  const buttons = VERDICTS.map((entry) => h('button', { type: 'button', 'data-verdict': entry.verdict, onclick: async () => {
    for (const button of buttons) button.disabled = true;
    try {
      await api(`/api/reviews/${encodeURIComponent(comparison.id)}`, { method: 'POST', body: { verdict: entry.verdict, ...(note.value ? { note: note.value } : {}) } });
      onVoted(card);
    } catch (error) {
      status.textContent = `Not recorded: ${error instanceof Error ? error.message : String(error)}`;
      for (const button of buttons) button.disabled = false;
    }
  } }, entry.label));
  card.append(h('div', { class: 'vote' }, note, ...buttons, status));
  return card;
}

export const reviewsPage: Page = {
  id: 'reviews',
  title: 'Reviews',
  async render(root) {
    const list = h('div', { class: 'reviews' });
    const count = h('span', { class: 'note', 'data-stat': 'queue' });
    const form = h('form', { class: 'filters', 'aria-label': 'Filter reviews' },
      h('label', {}, 'Status', h('select', { name: 'status' }, h('option', { value: 'pending' }, 'Pending'), h('option', { value: 'reviewed' }, 'Reviewed'))),
      h('label', {}, 'Route', h('input', { name: 'route', placeholder: 'all', autocomplete: 'off' })),
      h('button', { type: 'submit' }, 'Show'));
    const showCount = () => {
      const shown = list.querySelectorAll('article.review').length;
      count.textContent = `${shown} shown`;
      count.setAttribute('data-value', String(shown));
      if (shown === 0) list.replaceChildren(emptyState('No comparisons here. A learned route with `review: { sample }` queues its judged comparisons.'));
    };
    const load = async () => {
      const values = Object.fromEntries(new FormData(form).entries()) as Record<string, string>;
      const reviews = await api(`/api/reviews${query({ status: values.status, route: values.route, limit: 50 })}`);
      list.replaceChildren(...reviews.data.map((comparison: any) => reviewCard(comparison, (card) => {
        card.remove();
        showCount();
      })));
      showCount();
    };
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void load();
    });
    root.replaceChildren(h('div', { class: 'toolbar' }, h('h2', {}, 'Reviews'), count), form, list);
    await load();
  },
};
