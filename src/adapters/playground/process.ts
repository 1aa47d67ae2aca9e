/**
 * Runs the Microsoft 365 Agents Playground (`agentsplayground` CLI) as a child process, offline.
 *
 * Facts about the CLI (0.2.28) this relies on:
 *  - With stdout not a TTY it prints only `Listening on <port>` to stdout; everything else goes to its
 *    log file (`./devTools/m365agentsplayground.log` in its cwd, or `M365_AGENTS_PLAYGROUND_LOGFILE`).
 *  - `-p` is only a wish: `-p 0` or an occupied port silently becomes a random one, so the port is
 *    read back from that line.
 *  - It reads `.m365agentsplayground.yml` from its cwd (or `M365_AGENTS_PLAYGROUND_CONFIG_PATH`);
 *    without one it uses built-in mock data.
 *  - `TEAMSAPPTESTER_BROWSER=none` stops it opening a browser; `--dt` disables telemetry events and
 *    `APPLICATION_INSIGHTS_NO_STATSBEAT` the Application Insights SDK's own heartbeat.
 *  - SIGTERM ends it at once (no handler); SIGINT flushes telemetry, then exits 0.
 *  - The bot sees `serviceUrl: http://localhost:<port>/_connector` unless `--service-url` is given.
 *
 * The child must not outlive this process: it is killed on our `exit`, and a preloaded watchdog makes
 * it exit when its stdin pipe (held by us) closes, which also covers our being SIGKILLed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

export type PlaygroundChannelId = 'msteams' | 'directline' | 'webchat' | 'emulator' | 'agents';

export interface StartPlaygroundOptions {
  /** The bot's messaging endpoint, e.g. `http://127.0.0.1:3978/api/messages`. */
  botEndpoint: string;
  /** Requested port (default 56150); 0 or a taken port makes the Playground pick a random one. */
  port?: number;
  /** Working folder: where it looks for `.m365agentsplayground.yml` and writes `devTools/`. */
  cwd: string;
  /** Receives the child's stdout/stderr lines and lifecycle notes. */
  log?: (line: string) => void;
  channelId?: PlaygroundChannelId;
  /** Explicit config file (sets `M365_AGENTS_PLAYGROUND_CONFIG_PATH`). */
  configPath?: string;
  /** Log file of the Playground; default `<cwd>/devTools/m365agentsplayground.log`. */
  logFile?: string;
  /** `--service-url` for the mock connector (what the bot sees as `serviceUrl`). */
  serviceUrl?: string;
  /** How long to wait for the HTTP port to answer; default 30 s. */
  startTimeoutMs?: number;
  /** Time between SIGTERM and SIGKILL in `stop()`; default 5 s. */
  stopTimeoutMs?: number;
}

export interface PlaygroundProcess {
  /** The web UI, e.g. `http://127.0.0.1:56150/`. */
  url: string;
  port: number;
  /** The mock Bot Connector as the bot sees it (`serviceUrl` of the activities). */
  serviceUrl: string;
  pid: number;
  logFile: string;
  /** Resolves when the child has exited (SIGTERM, then SIGKILL after `stopTimeoutMs`). Idempotent. */
  stop(): Promise<void>;
}

const require = createRequire(import.meta.url);

/** Absolute path of the Playground's `cli.js`. */
export function playgroundCliPath(): string {
  try {
    return require.resolve('@microsoft/m365agentsplayground/cli.js');
  } catch {
    const pkgJson = require.resolve('@microsoft/m365agentsplayground/package.json');
    const pkg = JSON.parse(readFileSync(pkgJson, 'utf8')) as { bin?: Record<string, string> };
    return join(dirname(pkgJson), pkg.bin?.agentsplayground ?? 'cli.js');
  }
}

/** Preloaded into the child: exit as soon as the parent's end of the stdin pipe closes. */
const WATCHDOG = "process.stdin.on('end',()=>process.exit(0));process.stdin.on('error',()=>process.exit(0));process.stdin.resume();";

const ENV_TO_DROP = /^(M365_AGENTS_PLAYGROUND_|TEAMSAPPTESTER_|TEAMS_APP_TEST_TOOL_|BOT_ENDPOINT$|DEFAULT_CHANNEL_ID$|SEND_INSTALLATION_ACTIVITY$|AUTH_CLIENT_|AUTH_TENANT_ID$)/;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((resolveWait) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolveWait(false);
    }, timeoutMs);
    const onExit = (): void => {
      clearTimeout(timer);
      resolveWait(true);
    };
    child.once('exit', onExit);
  });
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

async function tail(path: string, lines: number): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

export async function startPlayground(opts: StartPlaygroundOptions): Promise<PlaygroundProcess> {
  const log = opts.log ?? ((): void => undefined);
  const cwd = resolve(opts.cwd);
  const logFile = resolve(opts.logFile ?? join(cwd, 'devTools', 'm365agentsplayground.log'));
  const startTimeoutMs = opts.startTimeoutMs ?? 30_000;
  const stopTimeoutMs = opts.stopTimeoutMs ?? 5_000;

  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!ENV_TO_DROP.test(k)) env[k] = v;
  env.TEAMSAPPTESTER_BROWSER = 'none';
  env.M365_AGENTS_PLAYGROUND_LOGFILE = logFile;
  env.APPLICATION_INSIGHTS_NO_STATSBEAT = 'true';
  if (opts.configPath) env.M365_AGENTS_PLAYGROUND_CONFIG_PATH = resolve(opts.configPath);

  const args = [
    '--import',
    `data:text/javascript,${encodeURIComponent(WATCHDOG)}`,
    playgroundCliPath(),
    '-e',
    opts.botEndpoint,
    '-c',
    opts.channelId ?? 'msteams',
    '--dt',
    '-p',
    String(opts.port ?? 56150),
  ];
  if (opts.serviceUrl) args.push('--service-url', opts.serviceUrl);

  const child = spawn(process.execPath, args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
  log(`playground: spawned pid ${child.pid ?? '?'} in ${cwd}`);
  const killOnExit = (): void => {
    if (!exited(child)) child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);
  child.once('exit', (code, signal) => {
    process.off('exit', killOnExit);
    log(`playground: exited (${signal ?? code})`);
  });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (exited(child)) return;
      child.kill('SIGTERM');
      if (await waitForExit(child, stopTimeoutMs)) return;
      log('playground: no exit after SIGTERM, sending SIGKILL');
      child.kill('SIGKILL');
      await waitForExit(child, 5_000);
    })().finally(() => {
      child.stdin?.destroy();
      child.stdout?.destroy();
      child.stderr?.destroy();
    });
    return stopping;
  };

  const listened = new Promise<number>((resolveListen, rejectListen) => {
    let buffered = '';
    const onLine = (stream: string) => (chunk: Buffer): void => {
      buffered += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl).trimEnd();
        buffered = buffered.slice(nl + 1);
        if (line) log(`playground ${stream}: ${line}`);
        const m = /Listening on (\d+)/.exec(line);
        if (m) resolveListen(Number(m[1]));
      }
    };
    child.stdout?.on('data', onLine('stdout'));
    child.stderr?.on('data', onLine('stderr'));
    child.once('error', rejectListen);
    child.once('exit', (code, signal) => rejectListen(new Error(`the Playground exited before listening (${signal ?? code})`)));
  });

  try {
    const deadline = Date.now() + startTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const port = await Promise.race([
      listened,
      new Promise<never>((_, rejectTimeout) => {
        timer = setTimeout(() => rejectTimeout(new Error(`the Playground did not print its port within ${startTimeoutMs} ms`)), startTimeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
    const url = `http://127.0.0.1:${port}/`;
    while (!(await answers(url))) {
      if (exited(child)) throw new Error('the Playground exited while starting');
      if (Date.now() > deadline) throw new Error(`the Playground at ${url} did not answer within ${startTimeoutMs} ms`);
      await sleep(100);
    }
    const serviceUrl = opts.serviceUrl ?? `http://localhost:${port}/_connector`;
    log(`playground: ready at ${url}`);
    return { url, port, serviceUrl, pid: child.pid ?? -1, logFile, stop };
  } catch (err) {
    await stop();
    const detail = await tail(logFile, 20);
    throw new Error(`${(err as Error).message}${detail ? `\n--- ${logFile} (tail) ---\n${detail}` : ''}`, { cause: err });
  }
}
