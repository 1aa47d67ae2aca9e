/** The Playground's mock-data file: shape, quoting and the limits of its schema (no browser needed). */
import { load } from 'js-yaml';
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { playgroundConfigYaml, writePlaygroundConfig, yamlString, type PlaygroundConfigOptions } from '../../src/adapters/playground/config.js';

const BASE: PlaygroundConfigOptions = {
  tenantId: 'tenant-1',
  botName: 'Rewards Bot',
  currentUser: { aadObjectId: 'aad-alice', name: 'Alice Admin' },
  users: [],
};

describe('Playground config (.m365agentsplayground.yml)', () => {
  it('when only the essentials are given, then the schema-required parts are filled in and users padded to 5', async () => {
    const text = playgroundConfigYaml(BASE);
    expect(text).to.contain('version: "0.1.1"');
    expect(text).to.contain('  id: "29:aad-alice"');
    expect(text).to.contain('  userPrincipleName: "alice.admin@example.com"');
    expect(text.match(/^ {2}- id: /gm)).to.have.length(5);
    expect(text).to.contain('  channels: []');
    {
      const doc = load(text) as { users: unknown[]; team: { id: string }; bot: { id: string; name: string } };
      expect(doc.users).to.have.length(5);
      expect(doc.bot).to.deep.equal({ id: '00000000-0000-0000-0000-00000000000011', name: 'Rewards Bot' });
      expect(doc.team.id).to.equal('team-id');
    }
  });

  it('when strings carry quotes, colons, hashes, newlines and unicode, then they read back unchanged', async () => {
    const tricky = 'O\'Hara: "#1" \\ back\nline\t tab \u2028 sep — ü 🎉 - [x] {y} &z *a !b %c @d `e`';
    expect(yamlString('a"b\\c')).to.equal('"a\\"b\\\\c"');
    const text = playgroundConfigYaml({ ...BASE, currentUser: { aadObjectId: 'aad-1', name: tricky.slice(0, 200) }, team: { name: tricky, channels: [{ name: 'Rewards: "news"' }] } });
    expect(text.split('\n').every((line) => !line.includes('\u2028'))).to.equal(true);
    {
      const doc = load(text) as { currentUser: { name: string }; team: { name: string; channels: Array<{ id: string; name: string }> } };
      expect(doc.currentUser.name).to.equal(tricky.slice(0, 200));
      expect(doc.team.name).to.equal(tricky);
      expect(doc.team.channels).to.deep.equal([{ id: 'team-id-rewards-news', name: 'Rewards: "news"' }]);
    }
  });

  it('when the data exceeds what the Playground accepts, then it is refused with a clear message', () => {
    const six = Array.from({ length: 6 }, (_, i) => ({ aadObjectId: `aad-${i}`, name: `User ${i}` }));
    expect(() => playgroundConfigYaml({ ...BASE, users: six })).to.throw(/at most 5 other users/);
    expect(() => playgroundConfigYaml({ ...BASE, team: { name: 'T', channels: [{ name: 'A' }, { name: 'B' }] } })).to.throw(/at most one channel besides General/);
    expect(() => playgroundConfigYaml({ ...BASE, botName: 'x'.repeat(43) })).to.throw(/botName is longer than 42/);
    expect(() => playgroundConfigYaml({ ...BASE, users: [{ aadObjectId: 'aad-alice', name: 'Alice Twin' }] })).to.throw(/user ids must be unique/);
    expect(() => playgroundConfigYaml({ ...BASE, personalChatId: 'team-id' })).to.throw(/ids must be unique/);
    expect(() => playgroundConfigYaml({ ...BASE, tenantId: 'bad \uD800' })).to.throw(/lone surrogate/);
  });

  it('when "General" is listed, then it is dropped (the Playground always adds it with the team id)', () => {
    const text = playgroundConfigYaml({ ...BASE, team: { name: 'T', id: '19:t', channels: [{ name: 'General' }, { name: 'Rewards', id: '19:r' }] } });
    expect(text).to.contain('    - id: "19:r"\n      name: "Rewards"\n');
    expect(text).not.to.contain('"General"');
  });

  it('when written, then the file lands in the folder under the name the Playground looks for', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pg-config-'));
    try {
      const path = await writePlaygroundConfig(dir, BASE);
      expect(path).to.equal(join(dir, '.m365agentsplayground.yml'));
      expect(readFileSync(path, 'utf8')).to.equal(playgroundConfigYaml(BASE));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
