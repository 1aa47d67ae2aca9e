/**
 * Append-only JSON-lines files (the transaction ledgers and the audit log): a write costs the size
 * of the new lines, not of the file. Appends to one file are serialised and coalesced; each resolves
 * after fsync. A crash can leave a torn last line that was never acknowledged: readers ignore it and
 * the next append starts by cutting it off. A bad line anywhere else is corruption.
 */
import { open, readFile, stat, truncate } from 'node:fs/promises';
import type { z } from 'zod';
import { StoreError } from '../store.js';

interface Pending {
  lines: string[];
  waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }>;
}

export class AppendLog {
  private chain: Promise<void> = Promise.resolve();
  private pending: Pending | null = null;
  private checkedTail = false;

  constructor(readonly path: string) {}

  /** Appends records (one JSON line each); resolves once they are on disk. */
  append(records: unknown[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    const lines = records.map((r) => JSON.stringify(r));
    if (this.pending) {
      this.pending.lines.push(...lines);
      return new Promise((resolve, reject) => this.pending!.waiters.push({ resolve, reject }));
    }
    const batch: Pending = { lines, waiters: [] };
    this.pending = batch;
    const done = new Promise<void>((resolve, reject) => batch.waiters.push({ resolve, reject }));
    this.chain = this.chain.then(async () => {
      this.pending = null; // later appends start a new batch
      try {
        await this.writeLines(batch.lines);
        for (const w of batch.waiters) w.resolve();
      } catch (err) {
        for (const w of batch.waiters) w.reject(err);
      }
    });
    return done;
  }

  /** Resolves once every append issued so far has finished. */
  async settle(): Promise<void> {
    await this.chain;
  }

  private async writeLines(lines: string[]): Promise<void> {
    if (!this.checkedTail) {
      await this.cutTornTail();
      this.checkedTail = true;
    }
    const fh = await open(this.path, 'a');
    try {
      await fh.write(lines.join('\n') + '\n');
      await fh.sync();
    } finally {
      await fh.close();
    }
  }

  /** An unterminated last line is an append that crashed before its fsync was acknowledged. */
  private async cutTornTail(): Promise<void> {
    let size: number;
    try {
      size = (await stat(this.path)).size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    if (size === 0) return;
    const buf = await readFile(this.path);
    if (buf[buf.length - 1] === 0x0a) return;
    const lastNewline = buf.lastIndexOf(0x0a);
    await truncate(this.path, lastNewline + 1);
  }

  /**
   * Reads every complete record, validated. Throws StoreError('corrupt') naming the line when a
   * complete line is not valid.
   */
  async readAll<S extends z.ZodType>(schema: S): Promise<Array<z.infer<S>>> {
    await this.settle();
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const lines = text.split('\n');
    lines.pop(); // after the last newline: '' or a torn, unacknowledged line
    const out: Array<z.infer<S>> = [];
    for (let i = 0; i < lines.length; i++) {
      let json: unknown;
      try {
        json = JSON.parse(lines[i]!);
      } catch {
        throw new StoreError(`${this.path} line ${i + 1} is not valid JSON; the file was left untouched.`, 'corrupt');
      }
      const parsed = schema.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new StoreError(
          `${this.path} line ${i + 1}: ${issue?.path.join('.') || '(record)'}: ${issue?.message}; the file was left untouched.`,
          'corrupt',
        );
      }
      out.push(parsed.data);
    }
    return out;
  }
}
