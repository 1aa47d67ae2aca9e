/**
 * The demo's Playgrounds, one per person (no browser, no real Playground: a fake starter records
 * what would run). The browser journeys prove the messages cross between them.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { DemoPlaygrounds, describeSeats, planDemoPlaygrounds, type DemoProgress } from '../../src/adapters/playground/demo.js';
import { PLAYGROUND_CONFIG_FILE, playgroundConfigYaml } from '../../src/adapters/playground/config.js';
import type { PlaygroundProcess, StartPlaygroundOptions } from '../../src/adapters/playground/process.js';
import { DEMO_USERS, PLAYGROUND_BOT_NAME, PLAYGROUND_TENANT } from '../../src/services/demo-data.js';

const BASE = { people: DEMO_USERS, tenantId: PLAYGROUND_TENANT, botName: PLAYGROUND_BOT_NAME, botEndpoint: 'http://127.0.0.1:3978/api/messages' };

interface MockYaml {
  currentUser: { id: string; aadObjectId: string; name: string };
  users: Array<{ id: string; aadObjectId: string }>;
  personalChat: { id: string };
  groupChat: { id: string };
  team: { id: string; aadGroupId: string; channels: Array<{ id: string; name: string }> };
}

/** A starter that "starts" a Playground on the requested port (or the next free fake one) and records stops. */
function fakeStarter(opts: { fail?: (o: StartPlaygroundOptions) => boolean; gate?: Promise<void> } = {}) {
  const started: StartPlaygroundOptions[] = [];
  const stopped: number[] = [];
  let next = 40000;
  const start = async (o: StartPlaygroundOptions): Promise<PlaygroundProcess> => {
    started.push(o);
    await opts.gate;
    if (opts.fail?.(o)) throw new Error('port in use by a ghost');
    const port = o.port || next++;
    return { url: `http://127.0.0.1:${port}/`, port, serviceUrl: `http://localhost:${port}/_connector`, pid: port, logFile: '', stop: async () => void stopped.push(port) };
  };
  return { start, started, stopped };
}

describe('demo Playgrounds: one Agents Playground per person', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'pg-demo-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('when planned for the default roles, then each person is the current user of their own Playground on consecutive ports', () => {
    const plan = planDemoPlaygrounds({ ...BASE, keys: ['20', '21', '22', '24', '25'], firstPort: 56150, rootDir: root });
    expect(plan.map((p) => [p.person.name, p.port, p.dir])).to.deep.equal([
      ['Alex Wilber', 56150, join(root, '20')],
      ['Megan Bowen', 56151, join(root, '21')],
      ['Adele Vance', 56152, join(root, '22')],
      ['Nestor Wilke', 56153, join(root, '24')],
      ['Isaiah Langer', 56154, join(root, '25')],
    ]);
    for (const p of plan) {
      const doc = load(playgroundConfigYaml(p.config)) as MockYaml;
      expect(doc.currentUser.aadObjectId).to.equal(p.person.aadObjectId);
      // Everyone else is a member there too, under the same channel account ids as in their own Playground.
      expect(doc.users.map((u) => u.aadObjectId).sort()).to.deep.equal(DEMO_USERS.filter((u) => u !== p.person).map((u) => u.aadObjectId).sort());
      expect([doc.currentUser, ...doc.users].every((u) => u.id === `29:${u.aadObjectId}`)).to.equal(true);
      expect(doc.team.channels.map((c) => c.name)).to.deep.equal(['Support']);
    }
  });

  it('when planned, then no two Playgrounds share a conversation id (stored references would collide)', () => {
    const plan = planDemoPlaygrounds({ ...BASE, keys: ['20', '21', '22', '23', '24', '25'], firstPort: 56150, rootDir: root });
    const ids = plan.flatMap((p) => {
      const doc = load(playgroundConfigYaml(p.config)) as MockYaml;
      return [doc.personalChat.id, doc.groupChat.id, doc.team.id, ...doc.team.channels.map((c) => c.id)];
    });
    expect(ids).to.have.length(24);
    expect(new Set(ids).size).to.equal(24);
    expect(plan[3]!.config.team?.id).to.equal('19:rewards-general-23@thread.tacv2');
  });

  it('when the first port is 0, then every Playground asks for any free port', () => {
    const plan = planDemoPlaygrounds({ ...BASE, keys: ['24', '20'], firstPort: 0, rootDir: root });
    expect(plan.map((p) => p.port)).to.deep.equal([0, 0]);
  });

  it('when a number names nobody, then planning says who exists', () => {
    expect(() => planDemoPlaygrounds({ ...BASE, keys: ['20', '29'], firstPort: 0, rootDir: root })).to.throw(/no demo person is mock user 29 \(known: 20 Alex Wilber/);
    expect(() => planDemoPlaygrounds({ ...BASE, keys: [], firstPort: 0, rootDir: root })).to.throw(/no demo person chosen/);
  });

  it('when started, then each mock-data file is written, progress is reported, and every URL is printed with who you are there', async () => {
    const fake = fakeStarter();
    const demo = new DemoPlaygrounds({ ...BASE, keys: ['24', '20'], firstPort: 56150, rootDir: root, start: fake.start });
    const progress: DemoProgress[] = [];
    const seats = await demo.start((p) => progress.push(p));
    // Started at once: the order of the calls is the order their config files were written in.
    expect(fake.started.map((o) => [o.port, o.cwd, o.botEndpoint]).sort((a, b) => Number(a[0]) - Number(b[0]))).to.deep.equal([
      [56150, join(root, '24'), BASE.botEndpoint],
      [56151, join(root, '20'), BASE.botEndpoint],
    ]);
    expect((load(readFileSync(join(root, '24', PLAYGROUND_CONFIG_FILE), 'utf8')) as MockYaml).currentUser.name).to.equal('Nestor Wilke');
    expect(progress.map((p) => (p.kind === 'starting' ? `starting ${p.total}` : `${p.done}/${p.total}`))).to.deep.equal(['starting 2', '1/2', '2/2']);
    expect(progress.flatMap((p) => (p.kind === 'ready' ? [p.seat.person.name] : [])).sort()).to.deep.equal(['Alex Wilber', 'Nestor Wilke']);
    expect(seats.map((s) => s.serviceUrl)).to.deep.equal(['http://localhost:56150/_connector', 'http://localhost:56151/_connector']);
    expect(describeSeats(seats).split('\n')).to.deep.equal([
      '    http://127.0.0.1:56150/  you are Nestor Wilke: Rewards team',
      '    http://127.0.0.1:56151/  you are Alex Wilber: Owner at Contoso Cloud (transact, just below tier 2)',
    ]);
    await demo.stop();
    expect(fake.stopped.sort()).to.deep.equal([56150, 56151]);
  });

  it('when one Playground cannot start, then the others are stopped and the error names who failed', async () => {
    const fake = fakeStarter({ fail: (o) => o.port === 56151 });
    const demo = new DemoPlaygrounds({ ...BASE, keys: ['20', '21', '25'], firstPort: 56150, rootDir: root, start: fake.start });
    let error: Error | undefined;
    await demo.start().catch((err: Error) => (error = err));
    expect(error?.message).to.equal('could not start the Agents Playground of Megan Bowen (port in use by a ghost)');
    expect(fake.stopped.sort()).to.deep.equal([56150, 56152]);
  });

  it('when stopped while the Playgrounds are still starting, then each is stopped once up and start() rejects', async () => {
    let open = (): void => undefined;
    const fake = fakeStarter({ gate: new Promise<void>((r) => (open = r)) });
    const demo = new DemoPlaygrounds({ ...BASE, keys: ['20', '21'], firstPort: 56150, rootDir: root, start: fake.start });
    const starting = demo.start().then(
      () => 'resolved',
      (err: Error) => err.message,
    );
    while (fake.started.length < 2) await new Promise((r) => setImmediate(r));
    const stopping = demo.stop();
    open();
    await stopping;
    expect(await starting).to.match(/stopped while starting/);
    expect(fake.stopped.sort()).to.deep.equal([56150, 56151]);
  });
});
