/** A tiny element builder: `h('div', { class: 'card' }, 'text', child)`. Text is always text, never HTML. */

type Child = Node | string | number | null | undefined | false;
type Attributes = Record<string, string | number | boolean | ((event: Event) => void) | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) element.append(typeof child === 'object' ? child : String(child));
  return element;
}

export const usd = (value: number) => `$${value.toFixed(value !== 0 && Math.abs(value) < 1 ? 4 : 2)}`;
/** Small amounts (a request's cost) to three significant digits rather than `$0.0000`. */
export const preciseUsd = (value: number) => (value !== 0 && Math.abs(value) < 0.01 ? `$${value.toPrecision(3)}` : usd(value));
export const milliseconds = (value: number | null) => (value === null ? '–' : value < 1000 ? `${Math.round(value)} ms` : `${(value / 1000).toFixed(2)} s`);
export const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
export const time = (timestamp: number) => new Date(timestamp).toLocaleString();

/** A labelled figure on a card; `data-value` keeps the exact number for tests and copy-paste. */
export function stat(label: string, text: string, value: number | string, name: string): HTMLElement {
  return h('div', { class: 'stat', 'data-stat': name, 'data-value': value }, h('div', { class: 'stat-label' }, label), h('div', { class: 'stat-value' }, text));
}

export function emptyState(message: string): HTMLElement {
  return h('div', { class: 'empty' }, message);
}
