/**
 * Leadership of a fleet on one PostgreSQL database: a session advisory lock held on a connection
 * of its own. Whoever holds the lock leads; if the leader dies (even with SIGKILL) its connection
 * closes, the database drops the lock, and the next instance to check takes it. A leader whose
 * connection fails stops leading at once (it cannot know whether it still holds the lock).
 */
import pg from 'pg';
import type { Leadership } from '../../../services/leadership.js';

/** The advisory lock key: one bot per database (two 32-bit halves of "rewards-leader"). */
const LOCK: readonly [number, number] = [0x72657761, 0x6c656164];

export class PgAdvisoryLeadership implements Leadership {
  readonly kind = 'PostgreSQL advisory lock';
  private client: pg.Client | null = null;
  private holding = false;

  constructor(private readonly connectionString: string) {}

  async check(): Promise<boolean> {
    try {
      const c = await this.connection();
      if (this.holding) {
        // Still connected means still holding: the lock lives as long as the session.
        await c.query('SELECT 1');
        return true;
      }
      const r = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [LOCK[0], LOCK[1]]);
      this.holding = r.rows[0]?.ok === true;
      return this.holding;
    } catch (err) {
      await this.drop();
      throw err;
    }
  }

  async release(): Promise<void> {
    const c = this.client;
    if (!c) return;
    try {
      if (this.holding) await c.query('SELECT pg_advisory_unlock($1, $2)', [LOCK[0], LOCK[1]]);
    } finally {
      await this.drop();
    }
  }

  private async connection(): Promise<pg.Client> {
    if (this.client) return this.client;
    const c = new pg.Client({ connectionString: this.connectionString, application_name: 'rewards-bot leader', connectionTimeoutMillis: 5_000 });
    // A dropped connection is a lost lead; the next check reconnects and competes again.
    c.on('error', () => void this.drop());
    await c.connect();
    this.client = c;
    return c;
  }

  private async drop(): Promise<void> {
    const c = this.client;
    this.client = null;
    this.holding = false;
    await c?.end().catch(() => undefined);
  }
}
