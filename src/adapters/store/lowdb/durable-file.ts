/**
 * lowdb documents made crash-safe: each write goes to a temp file that is fsync'd, renamed over the
 * old one and the directory fsync'd, before the writer's promise resolves. lowdb's own JSONFile
 * adapter renames without fsync, and JSONFilePreset keeps data in memory under NODE_ENV=test, so
 * neither is used.
 */
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Low, type Adapter } from 'lowdb';
import type { z } from 'zod';
import { cloneJson, deepFreeze } from '../clone.js';
import { StoreError } from '../store.js';

let tmpCounter = 0;

/** Writes `text` to `path` atomically and durably (temp file + fsync + rename + fsync dir). */
export async function writeFileDurable(path: string, text: string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${++tmpCounter}.tmp`);
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(text, 'utf8');
    await fh.sync();
  } catch (err) {
    await fh.close();
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await fh.close();
  await rename(tmp, path);
  await fsyncDir(dirname(path));
}

export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export async function ensureDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
}

/** Reads and validates a JSON file; missing → null; unreadable or invalid → StoreError('corrupt'). */
export async function readJsonFile<S extends z.ZodType>(path: string, schema: S): Promise<z.infer<S> | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new StoreError(
      `${path} is not valid JSON (${(err as Error).message}; ${text.length} bytes). The file was left untouched: restore it from a backup or move it away to start without it.`,
      'corrupt',
    );
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new StoreError(
      `${path} does not match the store schema at ${first?.path.join('.') || '(root)'}: ${first?.message}. The file was left untouched.`,
      'corrupt',
    );
  }
  return parsed.data;
}

/** lowdb adapter: validated reads, durable writes. */
export class DurableJsonFile<T> implements Adapter<T> {
  constructor(
    readonly path: string,
    private readonly schema: z.ZodType<T>,
  ) {}
  read(): Promise<T | null> {
    return readJsonFile(this.path, this.schema) as Promise<T | null>;
  }
  write(data: T): Promise<void> {
    return writeFileDurable(this.path, JSON.stringify(data));
  }
}

export interface DocOptions {
  /**
   * Keep the value as a deep-frozen private copy: `data` can then be handed out without copying,
   * and nothing outside the document can change it (a change goes through `update` or `replace`,
   * which copy what they are given).
   */
  frozen?: boolean;
  /** With `frozen`: `initial` is referenced by nobody else, so it is frozen in place, not copied. */
  adopt?: boolean;
}

/**
 * One lowdb document with serialised, coalesced writes: changes made while a write is in flight
 * are all carried by the next single write, and every caller's promise resolves only once a write
 * that includes its change is on disk.
 */
export class Doc<T> {
  private readonly low: Low<T>;
  private readonly frozen: boolean;
  private inFlight: Promise<void> | null = null;
  private queued: Promise<void> | null = null;

  constructor(path: string, schema: z.ZodType<T>, initial: T, options: DocOptions = {}) {
    this.frozen = options.frozen ?? false;
    this.low = new Low<T>(new DurableJsonFile(path, schema), options.adopt && this.frozen ? deepFreeze(initial) : this.own(initial));
  }

  /** What the document keeps of `value`: a frozen copy when frozen. */
  private own(value: T): T {
    return this.frozen ? deepFreeze(cloneJson(value)) : value;
  }

  get data(): T {
    return this.low.data;
  }

  /** Loads from disk; returns false when the file does not exist (data stays the initial value). */
  async load(): Promise<boolean> {
    const before = this.low.data;
    await this.low.read();
    if (this.low.data === null || this.low.data === undefined) {
      this.low.data = before;
      return false;
    }
    if (this.frozen) deepFreeze(this.low.data); // just parsed: nobody else holds it
    return true;
  }

  /**
   * Runs `change` on a copy, swaps it in, and persists. If `change` throws, nothing changes.
   */
  async update<R>(change: (draft: T) => R): Promise<R> {
    const draft = cloneJson(this.low.data);
    const result = change(draft);
    // A frozen document copies the draft again: `change` may have put objects in it that its
    // caller still holds, and those must stay the caller's to change.
    this.low.data = this.own(draft);
    await this.flush();
    return result;
  }

  /** Replaces the whole value and persists. */
  async replace(value: T): Promise<void> {
    this.low.data = this.own(value);
    await this.flush();
  }

  /** Resolves once everything changed before this call is durable. */
  flush(): Promise<void> {
    if (this.queued) return this.queued;
    if (!this.inFlight) return this.start();
    const after = this.inFlight.catch(() => undefined);
    this.queued = after.then(() => {
      this.queued = null;
      return this.start();
    });
    return this.queued;
  }

  /** Waits for any write in progress. */
  async settle(): Promise<void> {
    while (this.inFlight || this.queued) await (this.queued ?? this.inFlight)?.catch(() => undefined);
  }

  private start(): Promise<void> {
    const p = this.low.write().finally(() => {
      if (this.inFlight === p) this.inFlight = null;
    });
    this.inFlight = p;
    return p;
  }
}
