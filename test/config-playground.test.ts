/** The demo's Playground settings: which people get a Playground, and on which ports. */
import { expect } from 'chai';
import { ConfigError, loadConfig } from '../src/config.js';

function problems(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return (err as ConfigError).problems.join('\n');
  }
  expect.fail('expected a ConfigError');
}

describe('configuration: the demo Playgrounds', () => {
  it('when nothing is set, then every demo role gets a Playground: owner, look-only user, second owner, Rewards team, support', () => {
    expect(loadConfig({}).playground.users).to.deep.equal(['20', '21', '22', '24', '25']);
  });

  it('when PLAYGROUND_USERS lists people, then they are kept in that order (the port order), spaces ignored', () => {
    expect(loadConfig({ PLAYGROUND_USERS: '24, 20,23' }).playground.users).to.deep.equal(['24', '20', '23']);
  });

  const refused: Array<[string, string, RegExp]> = [
    ['a name instead of a number', 'alex', /PLAYGROUND_USERS: expected mock user numbers 20 to 25.*not a mock user: "alex"/],
    ['a number outside the mock users', '20,26', /PLAYGROUND_USERS: expected mock user numbers 20 to 25.*"26"/],
    ['an empty entry', '20,,21', /PLAYGROUND_USERS: expected mock user numbers.*""/],
    ['a person twice', '20,21,20', /PLAYGROUND_USERS: each mock user at most once.*repeated: 20/],
  ];
  for (const [when, value, expected] of refused) {
    it(`when PLAYGROUND_USERS has ${when}, then it refuses and says what it expects`, () => {
      expect(problems({ PLAYGROUND_USERS: value })).to.match(expected);
    });
  }

  it('when the consecutive ports would run past 65535, then PLAYGROUND_PORT is refused', () => {
    expect(problems({ PLAYGROUND_PORT: '65533' })).to.match(/PLAYGROUND_PORT: the Playgrounds use 5 consecutive ports from PLAYGROUND_PORT: expected at most 65531/);
    expect(loadConfig({ PLAYGROUND_PORT: '65531' }).playground.port).to.equal(65531);
    expect(loadConfig({ PLAYGROUND_PORT: '0' }).playground.port).to.equal(0);
  });

  it('when the old PLAYGROUND_USER is set, then it is refused with what replaced it', () => {
    expect(problems({ PLAYGROUND_USER: '24' })).to.match(/PLAYGROUND_USER: replaced by PLAYGROUND_USERS/);
  });
});
