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

/** One of the demo's Playgrounds, as `npm start` printed it. */
export interface StartedSeat {
  url: string;
  /** Who you are there ("Alex Wilber"). */
  name: string;
}

export interface StartedApp {
  child: ChildProcess;
  dataDir: string;
  /** The first Playground's URL. */
  playgroundUrl: string;
  /** Every Playground, in the printed order. */
  seats: StartedSeat[];
  /** The URL of `name`'s Playground (throws when there is none). */
  playgroundFor(name: string): string;
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
    // The whole group, even when npm itself has exited: what it started may still be running.
    if (child.pid) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    await rm(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 90_000;
  while (!output.includes('Press Ctrl-C to stop.')) {
    if (Date.now() > deadline || child.exitCode !== null) {
      await cleanup();
      throw new Error(`npm start did not print the Playground URLs:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const seats = [...output.matchAll(/^\s+(http:\/\/\S+)\s+you are ([^:]+):/gm)].map((m) => ({ url: m[1]!, name: m[2]! }));
  return {
    child,
    dataDir,
    playgroundUrl: seats[0]?.url ?? '',
    seats,
    playgroundFor(name: string) {
      const seat = seats.find((s) => s.name === name);
      if (!seat) throw new Error(`npm start printed no Playground for ${name}:\n${output}`);
      return seat.url;
    },
    botUrl: /Rewards bot:\s+(\S+)/.exec(output)![1]!,
    output: () => output,
    cleanup,
  };
}

/**
 * Registers the hooks of a browser journey on the app as `npm start` runs it: start it, open the
 * Playground of each of `people` in its own Chromium and wait for the bot's welcome there (which
 * also stores their conversation reference, as installing the app does in Teams); a screenshot of
 * each and the app's output on failure; cleanup. Returns a getter for a person's driver (default:
 * the first one).
 */
export function playgroundJourney(name: string, people: readonly string[] = ['Alex Wilber'], env: Record<string, string> = {}): (person?: string) => PlaygroundDriver {
  let started: StartedApp | undefined;
  const uis = new Map<string, PlaygroundDriver>();
  before(async function () {
    requireChromium(this);
    started = await startNpmApp(env);
    for (const person of people) {
      const launched = await launch(started.playgroundFor(person), { botName: PLAYGROUND_BOT_NAME });
      if (!launched.driver) throw new Error(launched.reason);
      uis.set(person, launched.driver);
      await launched.driver.ready();
      await launched.driver.waitForText('Type one of these', 20_000);
    }
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') {
      for (const [person, ui] of uis) {
        const path = join(tmpdir(), `${name}-${person.split(' ')[0]}-${this.currentTest.title.replace(/\W+/g, '-').slice(0, 50)}.png`);
        await ui.screenshot(path).catch(() => undefined);
        // eslint-disable-next-line no-console
        console.log(`    screenshot: ${path}`);
      }
      // eslint-disable-next-line no-console
      console.log(started?.output().slice(-2000));
    }
  });
  after(async () => {
    for (const ui of uis.values()) await ui.close().catch(() => undefined);
    await started?.cleanup();
  });
  return (person = people[0]!) => {
    const ui = uis.get(person);
    if (!ui) throw new Error(`the Playground of ${person} is not open`);
    return ui;
  };
}
