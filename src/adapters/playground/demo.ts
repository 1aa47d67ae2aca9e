/**
 * The demo's Agents Playgrounds: one per demo person, on consecutive ports, so every role meets the
 * others. A Playground has one current user and its own mock Bot Connector (its own `serviceUrl`);
 * the bot stores each person's conversation reference with that `serviceUrl` and replies on it, so a
 * campaign sent in Nestor's Playground arrives in Alex's, a ticket raised in Alex's is posted in
 * Isaiah's support channel, and so on.
 *
 * Conversation ids differ per person (personal chat, group chat, team, channel): the bot keys
 * channel and group references by conversation id, and two Playgrounds sharing a team id would
 * overwrite each other's reference (the last one to speak would get every channel post).
 */
import { join } from 'node:path';
import { writePlaygroundConfig, type PlaygroundConfigOptions } from './config.js';
import { startPlayground, type PlaygroundProcess, type StartPlaygroundOptions } from './process.js';

export interface DemoPerson {
  aadObjectId: string;
  name: string;
  email: string;
  /** What the demo makes of them ("Owner at Contoso Cloud …"). */
  role: string;
}

/** One person's Playground before it runs. */
export interface DemoSeatPlan {
  /** The mock user number (the end of the aadObjectId: 20 to 25), as in PLAYGROUND_USERS. */
  key: string;
  person: DemoPerson;
  /** Requested port (0: any free one). */
  port: number;
  /** Working folder: mock-data file and the Playground's log. */
  dir: string;
  config: PlaygroundConfigOptions;
}

/** A running Playground and who you are there. */
export interface DemoSeat extends DemoSeatPlan {
  url: string;
  serviceUrl: string;
  /** The port it listens on (differs from `port` when that was 0 or taken). */
  actualPort: number;
}

export type DemoProgress =
  | { kind: 'starting'; total: number }
  | { kind: 'ready'; seat: DemoSeat; done: number; total: number };

export interface DemoOptions {
  /** The demo's people; `keys` pick among them by the end of their aadObjectId. */
  people: readonly DemoPerson[];
  keys: readonly string[];
  tenantId: string;
  botName: string;
  /** The bot's messaging endpoint every Playground points at. */
  botEndpoint: string;
  /** Port of the first Playground; the next ones count up from it. 0: any free ports. */
  firstPort: number;
  /** Parent of the working folders (`<rootDir>/<key>`). */
  rootDir: string;
  log?: (line: string) => void;
  /** Starts one Playground; tests pass a fake. */
  start?: (opts: StartPlaygroundOptions) => Promise<PlaygroundProcess>;
}

const TEAM_NAME = 'Marketplace Rewards';

/** The person a mock user number names, or an error listing who exists. */
function personFor(people: readonly DemoPerson[], key: string): DemoPerson {
  const found = people.find((p) => p.aadObjectId.endsWith(key));
  if (!found) throw new Error(`no demo person is mock user ${key} (known: ${people.map((p) => `${p.aadObjectId.slice(-2)} ${p.name}`).join(', ')})`);
  return found;
}

/**
 * Who gets which port, folder and mock data (pure). Each config has the person as current user and
 * the other demo people as its users (the Playground's member lists), so member look-ups by the bot
 * find everyone in every Playground.
 */
export function planDemoPlaygrounds(opts: Omit<DemoOptions, 'botEndpoint' | 'log' | 'start'>): DemoSeatPlan[] {
  if (opts.keys.length === 0) throw new Error('no demo person chosen for a Playground');
  return opts.keys.map((key, i) => {
    const person = personFor(opts.people, key);
    const toUser = (p: DemoPerson) => ({ aadObjectId: p.aadObjectId, name: p.name, email: p.email });
    return {
      key,
      person,
      port: opts.firstPort === 0 ? 0 : opts.firstPort + i,
      dir: join(opts.rootDir, key),
      config: {
        tenantId: opts.tenantId,
        botName: opts.botName,
        currentUser: toUser(person),
        users: opts.people.filter((p) => p !== person).map(toUser),
        // The Playground allows General plus one channel: General for the Rewards team, one for support.
        team: {
          name: TEAM_NAME,
          id: `19:rewards-general-${key}@thread.tacv2`,
          aadGroupId: `00000000-0000-0000-0000-0000000031${key}`,
          channels: [{ name: 'Support', id: `19:rewards-support-${key}@thread.tacv2` }],
        },
        groupChat: { id: `19:rewards-group-${key}@thread.v2`, name: 'Group Chat' },
        // One personal chat per user, as in Teams (dialog state is kept per conversation).
        personalChatId: `a:personal-${person.aadObjectId}`,
      },
    };
  });
}

/**
 * Starts and stops the demo's Playgrounds together. `stop()` may be called while `start()` is still
 * running (a signal during start-up): the ones already up are stopped, the others as soon as they
 * are up, and `start()` rejects.
 */
export class DemoPlaygrounds {
  readonly plan: DemoSeatPlan[];
  private readonly running = new Map<DemoSeatPlan, PlaygroundProcess>();
  private readonly pending = new Set<Promise<unknown>>();
  private stopping: Promise<void> | undefined;
  private readonly startOne: (opts: StartPlaygroundOptions) => Promise<PlaygroundProcess>;

  constructor(private readonly opts: DemoOptions) {
    this.plan = planDemoPlaygrounds(opts);
    this.startOne = opts.start ?? startPlayground;
  }

  /**
   * Writes each mock-data file and starts all Playgrounds at once (each takes seconds, mostly
   * loading its bundle). Resolves with the seats in plan order; if any fails, stops the others and
   * rejects naming who could not start.
   */
  async start(onProgress: (p: DemoProgress) => void = () => undefined): Promise<DemoSeat[]> {
    if (this.stopping) throw new Error('the demo Playgrounds were stopped');
    const total = this.plan.length;
    onProgress({ kind: 'starting', total });
    let done = 0;
    const one = async (plan: DemoSeatPlan): Promise<DemoSeat> => {
      await writePlaygroundConfig(plan.dir, plan.config);
      if (this.stopping) throw new Error('stopped while starting');
      const proc = await this.startOne({
        botEndpoint: this.opts.botEndpoint,
        port: plan.port,
        cwd: plan.dir,
        log: (line) => this.opts.log?.(`${plan.person.name}: ${line}`),
      });
      if (this.stopping) {
        await proc.stop();
        throw new Error('stopped while starting');
      }
      this.running.set(plan, proc);
      const seat: DemoSeat = { ...plan, url: proc.url, serviceUrl: proc.serviceUrl, actualPort: proc.port };
      onProgress({ kind: 'ready', seat, done: ++done, total });
      return seat;
    };
    const all = Promise.allSettled(this.plan.map(one));
    this.pending.add(all);
    const results = await all.finally(() => this.pending.delete(all));
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [{ who: this.plan[i]!.person.name, err: r.reason as Error }] : []));
    if (this.stopping) throw new Error('the demo Playgrounds were stopped while starting');
    if (failed.length) {
      await this.stop();
      throw new Error(`could not start the Agents Playground of ${failed.map((f) => `${f.who} (${f.err.message})`).join('; ')}`, { cause: failed[0]!.err });
    }
    return results.map((r) => (r as PromiseFulfilledResult<DemoSeat>).value);
  }

  /** Stops every Playground started (and any still starting). Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      // Ones still starting stop themselves in start() once up (they see `stopping`).
      const stops = [...this.running.values()].map((p) => p.stop());
      this.running.clear();
      await Promise.allSettled([...stops, ...this.pending]);
    })();
    return this.stopping;
  }
}

/** The lines `npm start` prints: each URL with who you are there. */
export function describeSeats(seats: readonly DemoSeat[]): string {
  const width = Math.max(...seats.map((s) => s.url.length));
  return seats.map((s) => `    ${s.url.padEnd(width)}  you are ${s.person.name}: ${s.person.role}`).join('\n');
}
