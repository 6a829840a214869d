/**
 * The admin view, for an admin key only: usage and cost over time by model and by key
 * (GET /admin/usage/buckets), the keys (GET /admin/keys) and live metrics (GET /metrics), all read
 * again every few seconds while the view is open and the tab visible.
 */
import { gateway, gatewayText } from '../api.js';
import { h } from '../dom.js';
import { formatUsd } from '../prices.js';
import { load, save } from '../settings.js';
import { barChart, type Series } from './charts.js';
import { type KeyRecord, type KeyUse, keysTable } from './keys-table.js';
import { LiveMetrics } from './live-metrics.js';
import { PALETTE } from './svg.js';

export const REFRESH_MS = 3000;

interface Group {
  group: string;
  requests: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
}

interface Bucket {
  start_time: number;
  end_time: number;
  results: Group[];
}

/** A range and the bucket width that cuts it into a readable number of bars. */
const RANGES: [string, string, string, number][] = [
  ['1h', 'Last hour', '5m', 300],
  ['24h', 'Last 24 hours', '1h', 3600],
  ['7d', 'Last 7 days', '6h', 21_600],
  ['30d', 'Last 30 days', '1d', 86_400],
];

/** The largest groups get a colour each, the rest one shared. */
function seriesOf(
  buckets: readonly Bucket[],
  value: (g: Group) => number,
  label: (name: string) => string,
): Series[] {
  const totals = new Map<string, number>();
  for (const b of buckets)
    for (const g of b.results) totals.set(g.group, (totals.get(g.group) ?? 0) + value(g));
  const names = [...totals.keys()].sort((a, b) => totals.get(b)! - totals.get(a)! || a.localeCompare(b));
  const shown = names.length > PALETTE ? names.slice(0, PALETTE - 1) : names;
  const series: Series[] = shown.map((name) => ({
    name,
    label: label(name),
    values: buckets.map((b) => b.results.filter((g) => g.group === name).reduce((n, g) => n + value(g), 0)),
  }));
  if (shown.length < names.length) {
    series.push({
      name: '(other)',
      label: `${names.length - shown.length} more`,
      values: buckets.map((b) =>
        b.results.filter((g) => !shown.includes(g.group)).reduce((n, g) => n + value(g), 0),
      ),
    });
  }
  return series;
}

const cost = (g: Group) => g.cost_usd;
const tokens = (g: Group) => g.input_tokens + g.output_tokens;
const count = (n: number) =>
  n >= 10_000 ? `${(n / 1000).toFixed(n >= 100_000 ? 0 : 1)}k` : String(Math.round(n));

export class AdminView {
  readonly heading = h('h2', { tabindex: -1 }, 'Admin');
  private readonly range = h(
    'select',
    { 'aria-label': 'Time range', name: 'range' },
    RANGES.map(([value, label]) => h('option', { value }, label)),
  );
  private readonly status = h('span', { class: 'muted', role: 'status', 'data-testid': 'admin-status' });
  private readonly charts = h('div', { class: 'charts' });
  private readonly keys = h('div', { class: 'keys-box' });
  private readonly live = new LiveMetrics();
  private timer: number | undefined;
  private refreshing = false;
  readonly el = h(
    'section',
    { class: 'admin', id: 'admin', 'aria-label': 'Admin', hidden: true },
    h(
      'div',
      { class: 'row admin-bar' },
      this.heading,
      this.status,
      this.range,
      h('button', { type: 'button', onclick: () => this.refresh() }, 'Refresh'),
    ),
    this.live.el,
    h('h3', {}, 'Usage over time'),
    this.charts,
    h('h3', {}, 'Keys'),
    this.keys,
  );

  constructor() {
    this.range.value = load<string>('adminRange', '24h');
    this.range.addEventListener('change', () => {
      save('adminRange', this.range.value);
      this.refresh();
    });
    document.addEventListener('visibilitychange', () => {
      if (!document.hidden && !this.el.hidden) this.refresh();
    });
  }

  get shown(): boolean {
    return !this.el.hidden;
  }

  show(): void {
    this.el.hidden = false;
    this.heading.focus();
    this.refresh();
    this.timer ??= window.setInterval(() => {
      if (!document.hidden) this.refresh();
    }, REFRESH_MS);
  }

  hide(): void {
    this.el.hidden = true;
    window.clearInterval(this.timer);
    this.timer = undefined;
  }

  async refresh(): Promise<void> {
    if (this.refreshing) return;
    this.refreshing = true;
    try {
      await Promise.all([this.refreshUsage(), this.refreshMetrics()]);
      this.status.textContent = `updated ${new Date().toLocaleTimeString()}`;
    } catch (error) {
      this.status.textContent = `refresh failed: ${(error as Error).message}`;
    } finally {
      this.refreshing = false;
    }
  }

  private async refreshMetrics(): Promise<void> {
    try {
      this.live.update(await gatewayText('/metrics'));
    } catch (error) {
      this.live.failed((error as Error).message);
    }
  }

  private async refreshUsage(): Promise<void> {
    const [since, , width, seconds] = RANGES.find(([value]) => value === this.range.value) ?? RANGES[1]!;
    const query = (by: string) => `/admin/usage/buckets?since=${since}&bucket_width=${width}&group_by=${by}`;
    const [byModel, byKey, keyList] = await Promise.all([
      gateway<{ data: Bucket[] }>('GET', query('model')),
      gateway<{ data: Bucket[] }>('GET', query('key')),
      gateway<{ data: KeyRecord[] }>('GET', '/admin/keys'),
    ]);
    const names = new Map(keyList.data.map((k) => [k.id, k.name]));
    // A key id is long: its name and the id's start tell keys apart, the full id is in the table.
    const keyLabel = (id: string) => (names.has(id) ? `${names.get(id)} (${id.slice(0, 10)}…)` : id);
    const same = (name: string) => name;
    const chart = (
      title: string,
      buckets: Bucket[],
      value: (g: Group) => number,
      label: (n: string) => string,
      format: (n: number) => string,
    ) =>
      barChart({
        title,
        times: buckets.map((b) => b.start_time),
        width: seconds,
        series: seriesOf(buckets, value, label),
        format,
      });
    this.charts.replaceChildren(
      chart('Cost by model', byModel.data, cost, same, formatUsd),
      chart('Tokens by model', byModel.data, tokens, same, count),
      chart('Cost by key', byKey.data, cost, keyLabel, formatUsd),
      chart('Tokens by key', byKey.data, tokens, keyLabel, count),
    );
    const use = new Map<string, KeyUse>();
    for (const bucket of byKey.data) {
      for (const g of bucket.results) {
        const sum = use.get(g.group) ?? { requests: 0, tokens: 0, cost: 0 };
        use.set(g.group, {
          requests: sum.requests + g.requests,
          tokens: sum.tokens + tokens(g),
          cost: sum.cost + g.cost_usd,
        });
      }
    }
    this.keys.replaceChildren(keysTable(keyList.data, use));
  }
}
