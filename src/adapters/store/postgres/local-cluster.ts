/**
 * A throwaway PostgreSQL cluster from the system's binaries (initdb, pg_ctl), for trying the
 * scale-out store (`npm run db:local`) and for the store's tests. Nothing here is for production.
 * initdb refuses to run as root, so as root the cluster runs as the `postgres` OS user.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { chmod, chown, mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The folder holding initdb and pg_ctl: PATH, /usr/local/bin, then the newest /usr/lib/postgresql/<v>/bin. */
export function findPgBin(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = [...(env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/local/bin'];
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian).filter((v) => /^\d+(\.\d+)?$/.test(v)).sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => join(debian, v, 'bin')));
  }
  return candidates.find((d) => existsSync(join(d, 'initdb')) && existsSync(join(d, 'pg_ctl')));
}

export interface LocalCluster {
  /** postgres://app:<password>@127.0.0.1:<port>/postgres */
  url: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
  /** For process exit handlers, where nothing asynchronous runs. */
  stopSync(): void;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Initialises a cluster in a new temporary folder and starts it on a free port (fsync off: throwaway). */
export async function startLocalCluster(opts: { port?: number } = {}): Promise<LocalCluster> {
  const bin = findPgBin();
  if (!bin) throw new Error('PostgreSQL is not installed (no initdb in PATH, /usr/local/bin or /usr/lib/postgresql/*/bin): apt-get install postgresql');
  const asRoot = process.getuid?.() === 0;
  let owner: { uid: number; gid: number } | undefined;
  if (asRoot) {
    try {
      owner = { uid: Number(execFileSync('id', ['-u', 'postgres']).toString()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString()) };
    } catch {
      throw new Error('running as root, and initdb refuses root: create the `postgres` OS user (apt-get install postgresql does)');
    }
  }
  const cmd = (tool: string, args: string[]): [string, string[]] => (asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]] : [join(bin, tool), args]);
  const dir = await mkdtemp(join(tmpdir(), 'rewards-pg-'));
  const data = join(dir, 'db');
  const password = randomBytes(12).toString('hex');
  await writeFile(join(dir, 'pw'), password);
  await chmod(join(dir, 'pw'), 0o600);
  if (owner) {
    await chown(dir, owner.uid, owner.gid);
    await chown(join(dir, 'pw'), owner.uid, owner.gid);
  }
  const port = opts.port ?? (await freePort());
  const stopArgs = ['-D', data, '-m', 'fast', '-w', 'stop'];
  let started = false;
  const stopSync = () => {
    if (started) spawnSync(...cmd('pg_ctl', stopArgs), { stdio: 'ignore' });
    started = false;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await run(...cmd('initdb', ['-D', data, '-U', 'app', '--auth=scram-sha-256', `--pwfile=${join(dir, 'pw')}`, '-E', 'UTF8', '--locale=C', '--no-sync']));
    await run(...cmd('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']));
    started = true;
  } catch (err) {
    stopSync();
    const e = err as Error & { stderr?: string };
    throw new Error(`could not start PostgreSQL from ${bin}: ${e.stderr?.trim() || e.message}`);
  }
  return {
    url: `postgres://app:${password}@127.0.0.1:${port}/postgres`,
    port,
    dir,
    stopSync,
    async stop() {
      if (started) await run(...cmd('pg_ctl', stopArgs)).catch(() => undefined);
      started = false;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
