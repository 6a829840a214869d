/**
 * The managed keys (GET /admin/keys: never a secret or digest, only the preview the gateway keeps)
 * with their limits and what each used in the chosen range.
 */
import { h } from '../dom.js';
import { formatUsd } from '../prices.js';

export interface KeyRecord {
  id: string;
  tenant_id: string;
  name: string;
  preview: string;
  created_at: number;
  revoked_at: number | null;
  rpm: number | null;
  tpm: number | null;
  max_concurrent: number | null;
  budget_usd: number | null;
  budget_period: string | null;
  expires_at: number | null;
  models: string[] | null;
  admin: boolean;
}

export interface KeyUse {
  requests: number;
  tokens: number;
  cost: number;
}

function day(seconds: number | null): string {
  return seconds == null ? '–' : new Date(seconds * 1000).toLocaleDateString();
}

function limits(key: KeyRecord): string {
  const parts = [
    key.rpm != null ? `${key.rpm} rpm` : '',
    key.tpm != null ? `${key.tpm} tpm` : '',
    key.max_concurrent != null ? `${key.max_concurrent} at once` : '',
    key.budget_usd != null ? `${formatUsd(key.budget_usd)}/${key.budget_period ?? 'month'}` : '',
  ].filter(Boolean);
  return parts.join(', ') || 'none';
}

export function keysTable(keys: readonly KeyRecord[], use: ReadonlyMap<string, KeyUse>): HTMLElement {
  const head = [
    'Name',
    'Key',
    'Tenant',
    'Status',
    'Limits',
    'Models',
    'Created',
    'Requests',
    'Tokens',
    'Cost',
  ];
  return h(
    'div',
    { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': 'API keys' },
    h(
      'table',
      { class: 'keys', 'data-testid': 'keys-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          head.map((title) => h('th', { scope: 'col' }, title)),
        ),
      ),
      h(
        'tbody',
        {},
        keys.length === 0
          ? h(
              'tr',
              {},
              h('td', { colspan: head.length, class: 'muted' }, 'No managed keys (rgw keys create).'),
            )
          : keys.map((key) => {
              const used = use.get(key.id);
              const status = key.revoked_at != null ? 'revoked' : key.admin ? 'active · admin' : 'active';
              return h(
                'tr',
                { 'data-key-id': key.id },
                h('th', { scope: 'row' }, key.name),
                h('td', { class: 'mono', title: key.id }, key.preview),
                h('td', {}, key.tenant_id),
                h('td', {}, status),
                h('td', {}, limits(key)),
                h('td', {}, key.models?.join(', ') ?? 'any'),
                h('td', {}, day(key.created_at)),
                h('td', { class: 'num' }, used?.requests ?? 0),
                h('td', { class: 'num' }, used?.tokens ?? 0),
                h('td', { class: 'num' }, formatUsd(used?.cost ?? 0)),
              );
            }),
      ),
    ),
  );
}
