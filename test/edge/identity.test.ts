import { expect } from 'chai';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { OpenIdKeySource } from '../../src/adapters/http/openid-key-source.js';
import { teamsMessage } from '../fixtures/activities.js';
import { LocalCredentialsFactory, LocalIdentityProvider } from '../fixtures/identity-provider.js';

const APP_ID = '11111111-2222-3333-4444-555555555555';
const PASSWORD = 'hunter2-app-password';
const SERVICE_URL = 'http://127.0.0.1:9/';

class Lines extends Writable {
  readonly lines: Array<Record<string, unknown>> = [];
  override _write(chunk: Buffer, _enc: string, done: () => void) {
    for (const l of chunk.toString().split('\n')) if (l) this.lines.push(JSON.parse(l) as Record<string, unknown>);
    done();
  }
}

/** Everything written to stderr and stdout while `fn` runs (botbuilder's console output lands there). */
async function consoleOutput(fn: () => Promise<void>): Promise<string> {
  let out = '';
  const writes = [process.stderr.write, process.stdout.write] as const;
  const grab = (chunk: unknown) => ((out += String(chunk)), true);
  process.stderr.write = grab as typeof process.stderr.write;
  process.stdout.write = grab as typeof process.stdout.write;
  try {
    await fn();
  } finally {
    [process.stderr.write, process.stdout.write] = writes;
  }
  return out;
}

describe('identity provider: timeouts, shared fetches, failures remembered, one log line per refusal', function () {
  this.timeout(10_000);
  let idp: LocalIdentityProvider;
  let dir: string;
  let app: App;
  let port: number;
  let logs: Lines;

  const start = async (env: Record<string, string> = {}) => {
    app = createApp(loadConfig({ NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', DATA_DIR: dir, MicrosoftAppId: APP_ID, MicrosoftAppPassword: PASSWORD, ...env }), {
      log: createLogger(env.LOG_LEVEL ?? 'info', logs),
      authSettings: idp.settings(),
      credentialsFactory: new LocalCredentialsFactory(APP_ID),
    });
    port = await app.start();
  };
  const healthCheck = (token = idp.token(APP_ID, SERVICE_URL)) =>
    fetch(`http://127.0.0.1:${port}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ ...teamsMessage('', { serviceUrl: SERVICE_URL }), type: 'invoke', name: 'healthCheck', text: undefined }),
    });

  beforeEach(async () => {
    // A provider of its own per test: botbuilder keeps keys per metadata URL for the whole process.
    idp = new LocalIdentityProvider();
    await idp.start();
    dir = await mkdtemp(join(tmpdir(), 'rewards-idp-'));
    logs = new Lines();
  });
  afterEach(async () => {
    await app?.stop();
    await idp.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('when the token is valid, then the request is authenticated against the local provider (200)', async () => {
    await start();
    const res = await healthCheck();
    expect(res.status).to.equal(200);
  });

  it('when the provider never answers, then the request is answered 503 after the configured timeout instead of hanging', async () => {
    idp.mode = 'hang';
    await start({ IDENTITY_FETCH_TIMEOUT_MS: '300' });
    const res = await healthCheck();
    expect(res.status).to.equal(503);
    expect(await res.text()).to.contain('identity provider').and.not.contain('Error:');
    const refused = logs.lines.filter((l) => l.msg === 'request refused');
    expect(refused).to.have.length(1);
    expect(String(refused[0]!.reason)).to.contain('no answer within 300 ms');
  });

  it('when ten requests arrive together, then the metadata and the keys are fetched once', async () => {
    idp.delayMs = 200;
    await start();
    const statuses = await Promise.all(Array.from({ length: 10 }, () => healthCheck().then((r) => r.status)));
    expect(statuses).to.deep.equal(Array(10).fill(200));
    expect(idp.requests).to.deep.equal({ metadata: 1, keys: 1 });
  });

  it('when the provider fails, then requests in the next seconds are refused without asking it again', async () => {
    idp.mode = 'fail';
    await start();
    expect((await healthCheck()).status).to.equal(503);
    idp.mode = 'ok';
    expect((await healthCheck()).status).to.equal(503);
    expect((await healthCheck()).status).to.equal(503);
    expect(idp.requests.metadata).to.equal(1);
  });

  it('when a token is signed with another key, then it is refused 401 with one warn line, nothing on the console, and no key, token or password logged', async () => {
    await start();
    expect((await healthCheck()).status).to.equal(200); // keys loaded
    const forged = idp.token(APP_ID, SERVICE_URL, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
    let status = 0;
    const printed = await consoleOutput(async () => {
      status = (await healthCheck(forged)).status;
    });
    expect(status).to.equal(401);
    expect(printed).to.equal('');
    const refused = logs.lines.filter((l) => l.msg === 'request refused');
    expect(refused).to.have.length(1);
    expect(refused[0]).to.include({ level: 40, status: 401 });
    expect(String(refused[0]!.reason)).to.contain('invalid signature');
    // botbuilder's own words are kept, cleaned: its PEM dump of the keys becomes [key].
    expect(JSON.stringify(refused[0]!.detail)).to.contain('[key]');
    const all = JSON.stringify(logs.lines);
    expect(all).to.not.contain('BEGIN').and.not.contain(forged.split('.')[2]).and.not.contain(PASSWORD).and.not.contain('    at ');
  });

  it('when the log level is error, then a refused request writes nothing at all', async () => {
    await start({ LOG_LEVEL: 'error' });
    await healthCheck();
    const forged = idp.token(APP_ID, SERVICE_URL, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
    const printed = await consoleOutput(async () => {
      expect((await healthCheck(forged)).status).to.equal(401);
    });
    expect(printed).to.equal('');
    expect(logs.lines.filter((l) => l.msg === 'request refused')).to.deep.equal([]);
  });

  it('when the remembered failure is older than 30 s, then the provider is asked again (clock moved, not waited for)', async () => {
    idp.mode = 'fail';
    let now = 1_000_000;
    const source = new OpenIdKeySource(idp.metadataUrl, { timeoutMs: 500, now: () => now });
    await source.getKey(idp.kid).then(
      () => expect.fail('expected a refusal'),
      (err: { statusCode?: number }) => expect(err.statusCode).to.equal(503),
    );
    idp.mode = 'ok';
    now += 29_000;
    await source.getKey(idp.kid).catch(() => undefined);
    expect(idp.requests.metadata).to.equal(1);
    now += 2_000;
    expect(await source.getKey(idp.kid)).to.have.property('key').that.contains('BEGIN PUBLIC KEY');
    expect(idp.requests).to.deep.equal({ metadata: 2, keys: 1 });
  });
});
