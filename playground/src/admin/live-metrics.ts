/**
 * The live tiles: a few series of GET /metrics read on every refresh. Counters since the process
 * started, the request rate between two reads, and a sparkline of the last rates.
 */
import { h } from '../dom.js';
import { formatUsd } from '../prices.js';
import { sparkline } from './charts.js';
import { parsePrometheus, type Sample, total } from './prom.js';

const HISTORY = 40;

interface Reading {
  at: number;
  requests: number;
  errors: number;
}

function meanMs(samples: readonly Sample[], histogram: string): number | null {
  const count = total(samples, `${histogram}_count`);
  return count > 0 ? (total(samples, `${histogram}_sum`) / count) * 1000 : null;
}

export class LiveMetrics {
  readonly el = h('section', { class: 'live', 'aria-label': 'Live metrics' });
  private last: Reading | undefined;
  private readonly rates: number[] = [];

  update(text: string, now = performance.now()): void {
    const samples = parsePrometheus(text);
    const requests = total(samples, 'rgw_http_requests_total');
    const errors = total(samples, 'rgw_http_requests_total', (l) => Number(l.status) >= 400);
    const reading: Reading = { at: now, requests, errors };
    if (this.last && now > this.last.at) {
      this.rates.push(((requests - this.last.requests) * 1000) / (now - this.last.at));
      if (this.rates.length > HISTORY) this.rates.shift();
    }
    this.last = reading;
    const latency = meanMs(samples, 'rgw_response_duration_seconds');
    const ttft = meanMs(samples, 'rgw_response_ttft_seconds');
    const count = (n: number) => String(n);
    const ms = (n: number | null) => (n == null ? '–' : `${Math.round(n)} ms`);
    const tiles: [string, string, number | null, string][] = [
      ['requests', 'HTTP requests', requests, count(requests)],
      ['errors', 'HTTP errors (4xx/5xx)', errors, count(errors)],
      ['responses', 'Responses run', total(samples, 'rgw_response_duration_seconds_count'), ''],
      ['upstream-errors', 'Upstream errors', total(samples, 'rgw_upstream_errors_total'), ''],
      ['latency', 'Response latency (mean)', latency, ms(latency)],
      ['ttft', 'First token (mean)', ttft, ms(ttft)],
      ['streams', 'Open streams', total(samples, 'rgw_active_streams'), ''],
      // Input and output, as the charts count them (cached and reasoning are parts of those).
      [
        'tokens',
        'Tokens',
        total(samples, 'rgw_tokens_total', (l) => l.kind === 'input' || l.kind === 'output'),
        '',
      ],
      ['cost', 'Spend', total(samples, 'rgw_cost_usd_total'), ''],
    ];
    const rate = this.rates.at(-1);
    this.el.replaceChildren(
      h('h3', {}, 'Live (since the gateway started)'),
      h(
        'dl',
        { class: 'tiles' },
        tiles.map(([key, label, value, shown]) =>
          h(
            'div',
            { class: 'tile', 'data-metric': key, 'data-value': value ?? '' },
            h('dt', {}, label),
            h('dd', {}, shown || (key === 'cost' ? formatUsd(value ?? 0) : count(value ?? 0))),
          ),
        ),
      ),
      h(
        'div',
        { class: 'rate' },
        sparkline(this.rates, 'HTTP requests per second, last readings'),
        h(
          'span',
          { class: 'muted' },
          rate === undefined ? 'requests/s: –' : `requests/s: ${rate.toFixed(2)}`,
        ),
      ),
    );
  }

  /** The gateway could not be read: say so, keep the last tiles. */
  failed(message: string): void {
    this.el.querySelector('.metrics-error')?.remove();
    this.el.append(h('p', { class: 'error metrics-error', role: 'alert' }, `metrics: ${message}`));
  }
}
