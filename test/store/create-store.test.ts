import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../src/config.js';
import { createStore } from '../../src/adapters/store/create-store.js';

describe('store selection', () => {
  it('when DATABASE_URL is unset, then the embedded store in DATA_DIR is used', () => {
    const c = loadConfig({ DATA_DIR: '/tmp/somewhere', DATABASE_URL: '  ' });
    expect(c.databaseUrl).to.equal(null);
    expect(createStore(c).kind).to.equal('lowdb');
  });

  for (const url of ['postgres://app:pw@db.example:5432/rewards', 'postgresql://app@localhost/rewards?sslmode=require']) {
    it(`when DATABASE_URL is ${url.split(':')[0]}://…, then the PostgreSQL store is used`, () => {
      const c = loadConfig({ DATABASE_URL: url });
      expect(c.databaseUrl).to.equal(url);
      expect(createStore(c).kind).to.equal('postgres');
    });
  }

  for (const url of ['mysql://app:sekret-pw@db.example/rewards', 'sekret-pw', 'file:///var/lib/rewards']) {
    it(`when DATABASE_URL is not a PostgreSQL URL (${url.split(':')[0]}), then start-up stops naming the variable, without its value`, () => {
      try {
        loadConfig({ DATABASE_URL: url });
        expect.fail('should have thrown');
      } catch (err) {
        expect(err).to.be.instanceOf(ConfigError);
        expect((err as Error).message).to.contain('DATABASE_URL: expected a PostgreSQL URL').and.not.contain('sekret-pw');
      }
    });
  }
});
