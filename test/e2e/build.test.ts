/**
 * The production build: `npm run build` makes a dist/ that runs with plain `node dist/main.js`
 * (no TypeScript loader), finds its cards and program editions inside dist/, answers a turn and
 * stops cleanly on SIGTERM.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';

const ROOT = process.cwd();

describe('npm run build → node dist/main.js', function () {
  this.timeout(180_000);
  let dataDir: string;

  before(async () => {
    const r = spawnSync('npm', ['run', '-s', 'build'], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`npm run build failed:\n${r.stdout}\n${r.stderr}`);
    dataDir = await mkdtemp(join(tmpdir(), 'rewards-dist-'));
  });
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('when built, then dist/ holds JavaScript, the cards and the program editions, and no TypeScript', async () => {
    expect(existsSync(join(ROOT, 'dist/main.js'))).to.equal(true);
    expect((await readdir(join(ROOT, 'dist/cards'))).filter((f) => f.endsWith('.json')).length).to.be.greaterThan(10);
    expect(await readdir(join(ROOT, 'dist/programs'))).to.include('fy24.json');
    expect((await readdir(join(ROOT, 'dist/adapters/store/postgres/migrations'))).filter((f) => f.endsWith('.sql')).length).to.be.at.least(1);
    const walk = async (dir: string): Promise<string[]> =>
      (await Promise.all((await readdir(dir, { withFileTypes: true })).map((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)])))).flat();
    expect((await walk(join(ROOT, 'dist'))).filter((f) => f.endsWith('.ts'))).to.deep.equal([]);
  });

  it('when started with node alone, then it listens, answers a turn and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, ['dist/main.js'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'development', PLAYGROUND: 'off', DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 60_000;
      let port: string | undefined;
      while (!(port = /localhost:(\d+)\/api\/messages/.exec(out)?.[1])) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`dist/main.js did not start:\n${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).to.equal(200);
      // A turn that renders a card: templates and the program edition come from dist/.
      const turn = await fetch(`http://127.0.0.1:${port}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          type: 'message',
          id: 'm1',
          text: 'help',
          channelId: 'msteams',
          serviceUrl: 'http://127.0.0.1:9/',
          from: { id: '29:x', aadObjectId: '00000000-0000-0000-0000-000000000020' },
          recipient: { id: '28:bot' },
          conversation: { id: 'a:dist', conversationType: 'personal', tenantId: '11111111-1111-1111-1111-111111111111' },
          channelData: { tenant: { id: '11111111-1111-1111-1111-111111111111' } },
        }),
      });
      expect(turn.status).to.be.below(500);
      expect(out).to.not.match(/Cannot find|ENOENT|ERR_UNKNOWN_FILE_EXTENSION/);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).to.equal(0);
  });
});
