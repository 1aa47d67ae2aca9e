/**
 * Starts the app exactly as `npm start` does, in a process group of its own (so a SIGINT to the
 * group is what Ctrl-C in a terminal sends), with a fresh data folder and free ports.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, requireChromium, type PlaygroundDriver } from './playground-driver.js';

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * The bot's name in the Playground: passed to the driver rather than read from the page, which
 * briefly shows the Playground's default bot before it loads the config.
 */
import { PLAYGROUND_BOT_NAME } from '../../src/services/demo-data.js';
export { PLAYGROUND_BOT_NAME };

export interface StartedApp {
  child: ChildProcess;
  dataDir: string;
  playgroundUrl: string;
  botUrl: string;
  output(): string;
  /** SIGKILLs whatever is left and removes the data folder. */
  cleanup(): Promise<void>;
}

export async function startNpmApp(env: Record<string, string> = {}): Promise<StartedApp> {
  const dataDir = await mkdtemp(join(tmpdir(), 'rewards-start-'));
  const child = spawn('npm', ['start'], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'development', PORT: '0', PLAYGROUND_PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'warn', PLAYGROUND: '', MicrosoftAppId: '', ...env },
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const cleanup = async () => {
    if (child.pid && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    await rm(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 60_000;
  while (!/Agents Playground: (\S+)/.test(output)) {
    if (Date.now() > deadline || child.exitCode !== null) {
      await cleanup();
      throw new Error(`npm start did not print the Playground URL:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    dataDir,
    playgroundUrl: /Agents Playground: (\S+)/.exec(output)![1]!,
    botUrl: /Rewards bot:\s+(\S+)/.exec(output)![1]!,
    output: () => output,
    cleanup,
  };
}

/**
 * Registers the hooks of a browser journey on the app as `npm start` runs it: start it (as the
 * given Playground user), open the Playground in Chromium and wait for the welcome; a screenshot
 * and the app's output on failure; cleanup. Returns a getter for the driver.
 */
export function playgroundJourney(name: string, env: Record<string, string> = {}): () => PlaygroundDriver {
  let started: StartedApp | undefined;
  let ui: PlaygroundDriver | undefined;
  before(async function () {
    requireChromium(this);
    started = await startNpmApp(env);
    const launched = await launch(started.playgroundUrl, { botName: PLAYGROUND_BOT_NAME });
    if (!launched.driver) throw new Error(launched.reason);
    ui = launched.driver;
    await ui.ready();
    await ui.waitForText('Type one of these', 20_000);
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && ui) {
      const path = join(tmpdir(), `${name}-${this.currentTest.title.replace(/\W+/g, '-').slice(0, 60)}.png`);
      await ui.screenshot(path).catch(() => undefined);
      // eslint-disable-next-line no-console
      console.log(`    screenshot: ${path}\n${started?.output().slice(-2000)}`);
    }
  });
  after(async () => {
    await ui?.close().catch(() => undefined);
    await started?.cleanup();
  });
  return () => {
    if (!ui) throw new Error('the Playground is not open');
    return ui;
  };
}
