/**
 * LISTEN/NOTIFY on one dedicated connection, opened at the first subscription: listeners by
 * channel and payload (a response id). When the connection drops it is opened again; listeners
 * also keep polling, so a notification lost meanwhile only costs a poll interval.
 */
import pg from 'pg';

type Listener = () => void;

export class PgNotifications {
  private client: pg.Client | undefined;
  private connecting: Promise<void> | undefined;
  private readonly listeners = new Map<string, Map<string, Set<Listener>>>();
  private closed = false;

  constructor(private readonly url: string) {}

  on(channel: string, payload: string, listener: Listener): () => void {
    let byPayload = this.listeners.get(channel);
    if (!byPayload) {
      byPayload = new Map();
      this.listeners.set(channel, byPayload);
      void this.listen(channel);
    }
    let set = byPayload.get(payload);
    if (!set) {
      set = new Set();
      byPayload.set(payload, set);
    }
    set.add(listener);
    const listeners = set;
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) byPayload.delete(payload);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }

  private async listen(channel: string): Promise<void> {
    try {
      await this.connect();
      await this.client?.query(`LISTEN ${channel}`);
    } catch {
      // Followers poll as well; the next subscription or reconnect tries again.
    }
  }

  private connect(): Promise<void> {
    if (this.client || this.closed) return Promise.resolve();
    this.connecting ??= (async () => {
      const client = new pg.Client({
        connectionString: this.url,
        application_name: 'responses-gateway-listen',
      });
      client.on('notification', (message) => {
        const set = this.listeners.get(message.channel)?.get(message.payload ?? '');
        if (set) for (const listener of [...set]) listener();
      });
      client.on('error', () => this.reconnect(client));
      client.on('end', () => this.reconnect(client));
      await client.connect();
      this.client = client;
    })().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private reconnect(client: pg.Client): void {
    if (this.client !== client || this.closed) return;
    this.client = undefined;
    setTimeout(() => {
      for (const channel of this.listeners.keys()) void this.listen(channel);
    }, 500).unref();
  }
}
