/**
 * Stacked bars over time, one colour per series (a model or a key), and a sparkline. Colours are
 * classes (the page's CSP allows no inline styles), so dark mode restyles them; every bar has a
 * <title> and the legend spells out each series' total, so nothing is known by colour alone.
 */
import { h } from '../dom.js';
import { PALETTE, s } from './svg.js';

export interface Series {
  /** What the data is keyed by (a model name, a key id). */
  name: string;
  label: string;
  /** One value per bucket. */
  values: number[];
}

export interface BarChart {
  title: string;
  /** Bucket start times, unix seconds. */
  times: number[];
  /** Seconds per bucket, for the axis labels' format. */
  width: number;
  series: Series[];
  format: (value: number) => string;
}

const W = 480;
const H = 200;
const PAD = { left: 62, right: 10, top: 10, bottom: 26 };

function timeLabel(seconds: number, bucketWidth: number): string {
  const date = new Date(seconds * 1000);
  const time = date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  if (bucketWidth < 3600) return time;
  return `${date.toLocaleDateString([], { month: 'short', day: 'numeric' })}${bucketWidth < 86_400 ? ` ${time}` : ''}`;
}

export function barChart(chart: BarChart): HTMLElement {
  const n = Math.max(1, chart.times.length);
  const sums = chart.times.map((_, i) =>
    chart.series.reduce((sum, series) => sum + (series.values[i] ?? 0), 0),
  );
  const max = Math.max(0, ...sums);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const step = plotW / n;
  const y = (value: number) => PAD.top + plotH - (max > 0 ? (value / max) * plotH : 0);
  const bars: SVGElement[] = [];
  chart.times.forEach((time, i) => {
    let base = 0;
    chart.series.forEach((series, k) => {
      const value = series.values[i] ?? 0;
      if (value <= 0) return;
      const top = y(base + value);
      bars.push(
        s(
          'rect',
          {
            class: `bar s${k % PALETTE}`,
            x: (PAD.left + i * step + step * 0.1).toFixed(1),
            width: Math.max(1, step * 0.8).toFixed(1),
            y: top.toFixed(1),
            height: Math.max(0.5, y(base) - top).toFixed(1),
            'data-series': series.name,
            'data-value': value,
          },
          s('title', {}, `${series.label} · ${timeLabel(time, chart.width)} · ${chart.format(value)}`),
        ),
      );
      base += value;
    });
  });
  const ticks = [0, Math.floor((n - 1) / 2), n - 1].filter((t, i, all) => all.indexOf(t) === i);
  const svg = s(
    'svg',
    { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': chart.title },
    s('line', { class: 'axis', x1: PAD.left, x2: W - PAD.right, y1: y(0), y2: y(0) }),
    s('line', { class: 'grid', x1: PAD.left, x2: W - PAD.right, y1: y(max), y2: y(max) }),
    s('text', { class: 'tick', x: PAD.left - 6, y: y(max) + 4, 'text-anchor': 'end' }, chart.format(max)),
    s('text', { class: 'tick', x: PAD.left - 6, y: y(0) + 4, 'text-anchor': 'end' }, chart.format(0)),
    // The outer labels are anchored inwards, so they are not cut at the edges.
    ...ticks.map((t) =>
      s(
        'text',
        {
          class: 'tick',
          x: t === 0 ? PAD.left : t === n - 1 && n > 1 ? W - PAD.right : PAD.left + (t + 0.5) * step,
          y: H - 8,
          'text-anchor': t === 0 ? 'start' : t === n - 1 && n > 1 ? 'end' : 'middle',
        },
        chart.times[t] === undefined ? '' : timeLabel(chart.times[t]!, chart.width),
      ),
    ),
    ...bars,
  );
  if (max === 0) {
    svg.append(
      s(
        'text',
        { class: 'empty-chart', x: W / 2, y: H / 2, 'text-anchor': 'middle' },
        'no usage in this range',
      ),
    );
  }
  return h(
    'figure',
    { class: 'chart-box', 'data-chart': chart.title },
    h('figcaption', {}, chart.title),
    svg,
    h(
      'ul',
      { class: 'legend' },
      chart.series.map((series, k) =>
        h(
          'li',
          { 'data-series': series.name },
          h('span', { class: `swatch s${k % PALETTE}`, 'aria-hidden': 'true' }),
          `${series.label}: ${chart.format(series.values.reduce((a, b) => a + b, 0))}`,
        ),
      ),
    ),
  );
}

/** A line of the last values, scaled to its own maximum. */
export function sparkline(values: readonly number[], label: string): SVGElement {
  const w = 160;
  const h2 = 36;
  const max = Math.max(1e-9, ...values);
  const points = values
    .map(
      (v, i) =>
        `${((i / Math.max(1, values.length - 1)) * w).toFixed(1)},${(h2 - 2 - (v / max) * (h2 - 4)).toFixed(1)}`,
    )
    .join(' ');
  return s(
    'svg',
    { viewBox: `0 0 ${w} ${h2}`, class: 'sparkline', role: 'img', 'aria-label': label },
    s('line', { class: 'spark-base', x1: 0, x2: w, y1: h2 - 2, y2: h2 - 2 }),
    s('polyline', { points, class: 'spark' }),
  );
}
