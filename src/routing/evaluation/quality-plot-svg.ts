/**
 * Draws quality against the share of strong calls as a plain SVG string, one panel per dataset:
 * the router's curve, the random line (weak to strong) and the oracle curve. No dependency:
 * the plot is a few polylines and labels.
 */
import type { DatasetEvaluation } from './dataset-evaluation.js';
import type { CurvePoint } from './quality-curve.js';

const PANEL_WIDTH = 420;
const PANEL_HEIGHT = 320;
const MARGIN = { left: 56, right: 16, top: 40, bottom: 44 };
const COLOURS = { router: '#1f6feb', random: '#8b949e', oracle: '#2da44e' };

export function qualityPlotSvg(evaluations: readonly DatasetEvaluation[]): string {
  const width = PANEL_WIDTH * evaluations.length;
  const panels = evaluations.map((evaluation, index) => panel(evaluation, index * PANEL_WIDTH)).join('\n');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${PANEL_HEIGHT}" viewBox="0 0 ${width} ${PANEL_HEIGHT}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${PANEL_HEIGHT}" fill="white"/>`,
    panels,
    '</svg>',
    '',
  ].join('\n');
}

function panel(evaluation: DatasetEvaluation, offset: number): string {
  const plotWidth = PANEL_WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
  const qualities = [...evaluation.curves.router, ...evaluation.curves.oracle].map((point) => point.quality);
  const low = Math.min(...qualities);
  const high = Math.max(...qualities);
  const padding = (high - low || 1) * 0.05;
  const bottom = low - padding;
  const top = high + padding;
  const x = (share: number): number => offset + MARGIN.left + share * plotWidth;
  const y = (quality: number): number => MARGIN.top + (1 - (quality - bottom) / (top - bottom)) * plotHeight;
  const line = (points: readonly { strongShare: number; quality: number }[], colour: string, dashed = false): string =>
    `<polyline fill="none" stroke="${colour}" stroke-width="2"${dashed ? ' stroke-dasharray="5 4"' : ''} points="${points.map((point) => `${x(point.strongShare).toFixed(1)},${y(point.quality).toFixed(1)}`).join(' ')}"/>`;
  const random = [
    { strongShare: 0, quality: evaluation.router.weakQuality },
    { strongShare: 1, quality: evaluation.router.strongQuality },
  ];
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  const axes = [
    `<line x1="${x(0)}" y1="${y(bottom)}" x2="${x(1)}" y2="${y(bottom)}" stroke="black"/>`,
    `<line x1="${x(0)}" y1="${y(bottom)}" x2="${x(0)}" y2="${y(top)}" stroke="black"/>`,
    // The first and last tick labels are anchored at their edge, so they stay inside the frame.
    ...ticks.map((share) => `<text x="${x(share)}" y="${y(bottom) + 14}" text-anchor="${share === 0 ? 'start' : share === 1 ? 'end' : 'middle'}">${Math.round(share * 100)}%</text>`),
    ...ticks.map((fraction) => {
      const quality = bottom + fraction * (top - bottom);
      return `<text x="${x(0) - 6}" y="${y(quality) + 4}" text-anchor="end">${quality.toFixed(2)}</text>`;
    }),
    `<text x="${x(0.5)}" y="${PANEL_HEIGHT - 8}" text-anchor="middle">share of calls to ${escape(evaluation.strong)}</text>`,
    `<text x="${offset + 12}" y="${MARGIN.top + plotHeight / 2}" text-anchor="middle" transform="rotate(-90 ${offset + 12} ${MARGIN.top + plotHeight / 2})">quality (mean score)</text>`,
    `<text x="${x(0.5)}" y="18" text-anchor="middle" font-size="13">${escape(evaluation.dataset)}: APGR ${evaluation.router.apgr.toFixed(3)}</text>`,
  ];
  const legend = (
    [
      ['router', COLOURS.router],
      ['random', COLOURS.random],
      ['oracle', COLOURS.oracle],
    ] as const
  ).map(([name, colour], index) => `<text x="${x(0.72)}" y="${y(bottom) - 40 + index * 13}" fill="${colour}">— ${name}</text>`);
  return [
    `<g>`,
    ...axes,
    line(evaluation.curves.oracle, COLOURS.oracle, true),
    line(random, COLOURS.random, true),
    line(evaluation.curves.router as CurvePoint[], COLOURS.router),
    ...legend,
    `</g>`,
  ].join('\n');
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
