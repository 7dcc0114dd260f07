/** Time and bar charts on uPlot, sized to their container and redrawn when it resizes. */
import uPlot from 'uplot';
import { h } from './dom';

const COLORS = ['#3b82f6', '#ef4444', '#10b981', '#f59e0b', '#8b5cf6'];

export interface Series {
  label: string;
  values: Array<number | null>;
}

function sized(container: HTMLElement, make: (width: number) => uPlot): void {
  let chart = make(Math.max(280, container.clientWidth));
  const observer = new ResizeObserver(() => chart.setSize({ width: Math.max(280, container.clientWidth), height: 220 }));
  observer.observe(container);
  // Dropped with the page: the observer goes when the container leaves the document.
  void chart;
}

/** A line chart over time; `x` in ms since the epoch. */
export function timeChart(title: string, x: number[], series: Series[], options: { stacked?: boolean; format?: (value: number) => string } = {}): HTMLElement {
  const container = h('div', { class: 'chart', 'data-chart': title }, h('h3', {}, title));
  queueMicrotask(() =>
    sized(container, (width) =>
      new uPlot(
        {
          width,
          height: 220,
          series: [{}, ...series.map((entry, index) => ({ label: entry.label, stroke: COLORS[index % COLORS.length], width: 2, spanGaps: true, points: { size: 5 }, fill: options.stacked ? `${COLORS[index % COLORS.length]}33` : undefined, value: options.format ? (_: uPlot, value: number) => (value === null ? '–' : options.format!(value)) : undefined }))],
          axes: [{}, { values: options.format ? (_: uPlot, values: number[]) => values.map((value) => options.format!(value)) : undefined, size: 70 }],
          scales: { x: { time: true } },
        },
        [x.map((value) => value / 1000), ...series.map((entry) => entry.values)] as uPlot.AlignedData,
        container,
      ),
    ),
  );
  return container;
}

/** A histogram of `bins` equal bins over [0, 1], with a vertical line at each threshold. */
export function histogram(title: string, bins: number[], thresholds: Array<{ label: string; value: number }>): HTMLElement {
  const container = h('div', { class: 'chart', 'data-chart': title }, h('h3', {}, title));
  const width = 1 / bins.length;
  const x = bins.map((_, index) => index * width + width / 2);
  const drawThresholds = (chart: uPlot) => {
    const context = chart.ctx;
    context.save();
    context.strokeStyle = '#ef4444';
    context.setLineDash([6, 4]);
    context.lineWidth = 2;
    for (const threshold of thresholds) {
      const left = chart.valToPos(threshold.value, 'x', true);
      context.beginPath();
      context.moveTo(left, chart.bbox.top);
      context.lineTo(left, chart.bbox.top + chart.bbox.height);
      context.stroke();
    }
    context.restore();
  };
  queueMicrotask(() =>
    sized(container, (chartWidth) =>
      new uPlot(
        {
          width: chartWidth,
          height: 220,
          series: [{}, { label: 'requests', stroke: COLORS[0], fill: `${COLORS[0]}66`, paths: uPlot.paths.bars!({ size: [0.9, 100] }), points: { show: false } }],
          scales: { x: { time: false, range: [0, 1] } },
          hooks: { draw: [drawThresholds] },
        },
        [x, bins] as uPlot.AlignedData,
        container,
      ),
    ),
  );
  if (thresholds.length > 0) container.append(h('p', { class: 'note' }, `Dashed line: ${thresholds.map((threshold) => `${threshold.label} threshold ${threshold.value.toFixed(3)}`).join(', ')}`));
  return container;
}
