/** The time range the Overview and Routing pages show, shared between them. */
import { h } from './dom';

export const RANGES = [
  { id: '1h', label: 'Last hour', ms: 3_600_000 },
  { id: '24h', label: 'Last 24 hours', ms: 86_400_000 },
  { id: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
  { id: '30d', label: 'Last 30 days', ms: 30 * 86_400_000 },
  { id: 'all', label: 'All time', ms: 0 },
] as const;

let selected: (typeof RANGES)[number]['id'] = '24h';

/** The selected range as [from, to) in ms; "all time" starts at 0. */
export function currentRange(now = Date.now()): { from: number; to: number } {
  const range = RANGES.find((entry) => entry.id === selected)!;
  // A minute past now, so a request finishing while the page loads is inside the range.
  const to = now + 60_000;
  return { from: range.ms === 0 ? 0 : now - range.ms, to };
}

export function rangePicker(onChange: () => void): HTMLElement {
  const select = h('select', { 'aria-label': 'Time range', name: 'range', onchange: (event: Event) => {
    selected = (event.target as HTMLSelectElement).value as typeof selected;
    onChange();
  } }, ...RANGES.map((range) => h('option', { value: range.id, selected: range.id === selected }, range.label)));
  return h('label', { class: 'range' }, 'Range ', select);
}
