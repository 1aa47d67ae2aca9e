import { expect } from 'chai';
import { ConfigError, loadConfig } from '../src/config.js';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  expect.fail('expected a ConfigError');
}

describe('configuration', () => {
  it('when nothing is set, then development defaults apply and the Playground is on', () => {
    const c = loadConfig({});
    expect(c.port).to.equal(3978);
    expect(c.dataDir).to.equal('./data');
    expect(c.nodeEnv).to.equal('development');
    expect(c.bot.authEnabled).to.equal(false);
    expect(c.playground).to.deep.equal({ enabled: true, port: 56150, users: ['20', '21', '22', '24', '25'] });
    expect(c.demoData).to.equal(true);
    expect(c.identityFetchTimeoutMs).to.equal(2000);
  });

  it('when an app id is set, then the Playground defaults to off', () => {
    expect(loadConfig({ MicrosoftAppId: 'x', MicrosoftAppPassword: 'y' }).playground.enabled).to.equal(false);
  });

  const cases: Array<[string, Record<string, string>, string]> = [
    ['a port that is not a number', { PORT: 'eighty' }, 'PORT: expected a port number'],
    ['a port out of range', { PORT: '70000' }, 'PORT: expected a port number'],
    ['an unknown log level', { LOG_LEVEL: 'loud' }, 'LOG_LEVEL: expected fatal, error'],
    ['PLAYGROUND neither on nor off', { PLAYGROUND: 'maybe' }, 'PLAYGROUND: expected on or off'],
    ['an unknown NODE_ENV', { NODE_ENV: 'staging' }, 'NODE_ENV: expected development, production or test'],
    ['production without Bot Framework credentials', { NODE_ENV: 'production' }, 'MicrosoftAppId: production needs Bot Framework credentials'],
    ['production with an app id but no password', { NODE_ENV: 'production', MicrosoftAppId: 'id' }, 'MicrosoftAppId: production needs'],
    ['a SingleTenant bot without its tenant', { MicrosoftAppId: 'id', MicrosoftAppPassword: 'pw', MicrosoftAppType: 'SingleTenant' }, 'MicrosoftAppTenantId'],
    ['an unknown app type', { MicrosoftAppType: 'Whatever' }, 'MicrosoftAppType: expected MultiTenant'],
    ['an identity fetch timeout above 2 s', { IDENTITY_FETCH_TIMEOUT_MS: '5000' }, 'IDENTITY_FETCH_TIMEOUT_MS: expected 100 to 2000 milliseconds'],
    ['an identity fetch timeout that is not a number', { IDENTITY_FETCH_TIMEOUT_MS: 'soon' }, 'IDENTITY_FETCH_TIMEOUT_MS: expected a number of milliseconds'],
    ['an outbox lease of 0 seconds', { OUTBOX_LEASE_SECONDS: '0' }, 'OUTBOX_LEASE_SECONDS: expected 1 to 3600 seconds'],
  ];
  for (const [when, env, expected] of cases) {
    it(`when given ${when}, then it refuses and names the variable`, () => {
      expect(problems(env).join('\n')).to.contain(expected);
    });
  }

  it('when a setting is bad, then its secret values never appear in the message', () => {
    const msg = problems({ NODE_ENV: 'production', MicrosoftAppPassword: 'hunter2-secret', PORT: 'x' }).join('\n');
    expect(msg).to.not.contain('hunter2-secret');
  });

  it('when production has credentials, then it starts with auth on and no Playground or demo data', () => {
    const c = loadConfig({ NODE_ENV: 'production', MicrosoftAppId: 'id', MicrosoftAppPassword: 'pw' });
    expect(c.bot.authEnabled).to.equal(true);
    expect(c.playground.enabled).to.equal(false);
    expect(c.demoData).to.equal(false);
  });

  it('when loaded, then the configuration is frozen', () => {
    const c = loadConfig({});
    expect(Object.isFrozen(c)).to.equal(true);
    expect(Object.isFrozen(c.bot)).to.equal(true);
  });
});
