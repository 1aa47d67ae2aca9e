import { expect } from 'chai';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync, inflateSync } from 'node:zlib';
import { AppManifestUtils } from '@microsoft/app-manifest';
import {
  buildAppPackage,
  defaultTeamsAppId,
  fillTemplate,
  MANIFEST_DIR,
  PackageError,
  validateManifest,
} from '../src/adapters/cli/package-app.js';

const APP_ID = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
const BOT_ID = '1b0a6e0c-2f4d-4d0e-9c55-2a7c1f3b9e11';
const NEWEST_BUNDLED = '1.30';

type Json = Record<string, unknown>;

function filledManifest(appId = APP_ID, botId = BOT_ID): Json {
  const template = readFileSync(join(MANIFEST_DIR, 'manifest.json'), 'utf8');
  return JSON.parse(fillTemplate(template, { TEAMS_APP_ID: appId, BOT_ID: botId })) as Json;
}

interface Command { title: string; description?: string }
interface CommandList { scopes: string[]; commands: Command[] }
function commandLists(m: Json): CommandList[] {
  return (m.bots as Array<{ commandLists: CommandList[] }>)[0]!.commandLists;
}

/** Decodes an 8-bit non-interlaced PNG into its header and unfiltered scanlines. */
function decodePng(data: Buffer): { width: number; height: number; colorType: number; pixels: Buffer } {
  expect(data.subarray(0, 8).toString('hex')).to.equal('89504e470d0a1a0a');
  let pos = 8;
  let header: { width: number; height: number; bitDepth: number; colorType: number; interlace: number } | undefined;
  const idat: Buffer[] = [];
  while (pos < data.length) {
    const length = data.readUInt32BE(pos);
    const type = data.toString('ascii', pos + 4, pos + 8);
    const body = data.subarray(pos + 8, pos + 8 + length);
    if (type === 'IHDR') {
      header = { width: body.readUInt32BE(0), height: body.readUInt32BE(4), bitDepth: body[8]!, colorType: body[9]!, interlace: body[12]! };
    } else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') break;
    pos += 12 + length;
  }
  if (header === undefined) throw new Error('no IHDR');
  expect(header.bitDepth).to.equal(8);
  expect(header.interlace).to.equal(0);
  const channels = ({ 0: 1, 2: 3, 4: 2, 6: 4 } as Record<number, number>)[header.colorType];
  if (channels === undefined) throw new Error(`unsupported colour type ${header.colorType}`);
  const stride = header.width * channels;
  const raw = inflateSync(Buffer.concat(idat));
  expect(raw.length).to.equal((stride + 1) * header.height);
  const out = Buffer.alloc(stride * header.height);
  for (let y = 0; y < header.height; y++) {
    const filter = raw[y * (stride + 1)]!;
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x]!;
      const a = x >= channels ? out[y * stride + x - channels]! : 0;
      const b = y > 0 ? out[(y - 1) * stride + x]! : 0;
      const c = x >= channels && y > 0 ? out[(y - 1) * stride + x - channels]! : 0;
      const paeth = (): number => {
        const p = a + b - c;
        const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      };
      const predictor = [0, a, b, (a + b) >> 1, filter === 4 ? paeth() : 0][filter];
      if (predictor === undefined) throw new Error(`bad filter ${filter}`);
      out[y * stride + x] = (v + predictor) & 0xff;
    }
  }
  return { width: header.width, height: header.height, colorType: header.colorType, pixels: out };
}

/** Reads a zip through its end record and central directory; returns the entries' names and contents. */
function readZip(zip: Buffer): Map<string, Buffer> {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  expect(eocd, 'end of central directory').to.be.greaterThan(-1);
  const count = zip.readUInt16LE(eocd + 10);
  let pos = zip.readUInt32LE(eocd + 16);
  const entries = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    expect(zip.readUInt32LE(pos), 'central header signature').to.equal(0x02014b50);
    const method = zip.readUInt16LE(pos + 10);
    const compressed = zip.readUInt32LE(pos + 20);
    const size = zip.readUInt32LE(pos + 24);
    const nameLength = zip.readUInt16LE(pos + 28);
    const extra = zip.readUInt16LE(pos + 30);
    const comment = zip.readUInt16LE(pos + 32);
    const local = zip.readUInt32LE(pos + 42);
    const name = zip.toString('utf8', pos + 46, pos + 46 + nameLength);
    expect(zip.readUInt32LE(local), `local header of ${name}`).to.equal(0x04034b50);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const body = zip.subarray(start, start + compressed);
    const data = method === 0 ? body : inflateRawSync(body);
    expect(data.length, `size of ${name}`).to.equal(size);
    entries.set(name, data);
    pos += 46 + nameLength + extra + comment;
  }
  return entries;
}

describe('Teams app manifest and package', function () {
  this.timeout(30_000);
  const realFetch = globalThis.fetch;
  let tmp: string;

  before(() => {
    // Offline: any attempt to fetch a schema fails the test.
    globalThis.fetch = (() => Promise.reject(new Error('network access attempted during manifest validation'))) as typeof fetch;
    tmp = mkdtempSync(join(tmpdir(), 'rewards-manifest-'));
  });
  after(() => {
    globalThis.fetch = realFetch;
    rmSync(tmp, { recursive: true, force: true });
  });

  it('when the template is filled with sample GUIDs, then it validates against the bundled schema with no errors', async () => {
    const manifest = filledManifest();
    expect(await validateManifest(manifest)).to.deep.equal([]);
    // The library's own offline lookup (by $schema URL) agrees.
    expect(await AppManifestUtils.validateAgainstSchema(manifest as Parameters<typeof AppManifestUtils.validateAgainstSchema>[0])).to.deep.equal([]);
  });

  it('when the manifest is read, then it is on the newest numbered schema bundled and lists the commands', () => {
    const m = filledManifest();
    expect(m.manifestVersion).to.equal(NEWEST_BUNDLED);
    expect(m.$schema).to.equal(`https://developer.microsoft.com/json-schemas/teams/v${NEWEST_BUNDLED}/MicrosoftTeams.schema.json`);
    const bot = (m.bots as Array<Json>)[0]!;
    expect(bot.scopes).to.have.members(['personal', 'team', 'groupChat']);
    expect(bot.supportsFiles).to.equal(false);
    expect(bot.isNotificationOnly).to.equal(false);
    const lists = commandLists(m);
    const personal = lists.find((l) => l.scopes.includes('personal'))!;
    expect(personal.commands.map((c) => c.title)).to.deep.equal(['help', 'enroll', 'contact', 'benefits', 'status', 'tech', 'optout', 'optin', 'ticket', 'tickets']);
    for (const scope of ['team', 'groupChat']) {
      const staff = lists.find((l) => l.scopes.includes(scope))!;
      expect(staff.commands.map((c) => c.title)).to.have.members(['campaign', 'queue', 'register rewards channel', 'register support channel', 'help', 'whoami']);
    }
    for (const c of lists.flatMap((l) => l.commands)) expect(c.description?.length ?? 0, c.title).to.be.within(1, 128);
    expect((m.description as { short: string }).short.length).to.be.at.most(80);
  });

  it('when a command title is too long or the bot id is missing, then the schema check reports it', async () => {
    const longTitle = filledManifest();
    commandLists(longTitle)[0]!.commands[0]!.title = 'x'.repeat(129);
    const errors = await validateManifest(longTitle);
    expect(errors.join('\n')).to.match(/commands\/0\/title must NOT have more than 128 characters/);

    const noBot = filledManifest();
    delete (noBot.bots as Array<Json>)[0]!.botId;
    expect((await validateManifest(noBot)).join('\n')).to.match(/must have required property 'botId'/);
  });

  it('when the icons are read, then color is 192×192 and outline is 32×32 RGBA with transparent pixels', () => {
    const color = decodePng(readFileSync(join(MANIFEST_DIR, 'color.png')));
    expect([color.width, color.height]).to.deep.equal([192, 192]);
    const outline = decodePng(readFileSync(join(MANIFEST_DIR, 'outline.png')));
    expect([outline.width, outline.height]).to.deep.equal([32, 32]);
    expect(outline.colorType).to.equal(6);
    let transparent = 0;
    let nonWhiteVisible = 0;
    for (let i = 0; i < outline.pixels.length; i += 4) {
      const [r, g, b, a] = outline.pixels.subarray(i, i + 4);
      if (a === 0) transparent++;
      else if (r !== 255 || g !== 255 || b !== 255) nonWhiteVisible++;
    }
    expect(transparent).to.be.greaterThan(0);
    expect(transparent).to.be.lessThan(32 * 32); // something is drawn
    expect(nonWhiteVisible, 'outline pixels must be white').to.equal(0);
  });

  it('when the package is built, then the zip holds exactly manifest.json, color.png and outline.png with the ids filled', async () => {
    const outFile = join(tmp, 'nested', 'app.zip');
    const result = await buildAppPackage({ appId: APP_ID, botId: BOT_ID, outFile });
    expect(result.file).to.equal(outFile);
    const entries = readZip(readFileSync(outFile));
    expect([...entries.keys()].sort()).to.deep.equal(['color.png', 'manifest.json', 'outline.png']);
    const manifest = JSON.parse(entries.get('manifest.json')!.toString('utf8')) as Json;
    expect(manifest.id).to.equal(APP_ID);
    expect((manifest.bots as Array<Json>)[0]!.botId).to.equal(BOT_ID);
    expect(entries.get('manifest.json')!.toString('utf8')).not.to.contain('${{');
    expect(entries.get('color.png')!.equals(readFileSync(join(MANIFEST_DIR, 'color.png')))).to.equal(true);
    expect(entries.get('outline.png')!.equals(readFileSync(join(MANIFEST_DIR, 'outline.png')))).to.equal(true);
    expect(result.manifest).to.deep.equal(manifest);
  });

  it('when the bot id is not a GUID, then packaging is refused and nothing is written', async () => {
    const outFile = join(tmp, 'refused.zip');
    const err = await buildAppPackage({ appId: APP_ID, botId: 'my-bot', outFile }).then(
      () => expect.fail('expected a refusal'),
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(PackageError);
    expect((err as Error).message).to.match(/bot id must be a GUID/);
    expect(() => readFileSync(outFile)).to.throw();
  });

  it('when the template in the manifest folder breaks the schema, then packaging is refused with the schema errors', async () => {
    const dir = join(tmp, 'broken');
    cpSync(MANIFEST_DIR, dir, { recursive: true });
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Json;
    (m.name as Json).short = 'A name far longer than thirty characters';
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
    const err = await buildAppPackage({ appId: APP_ID, botId: BOT_ID, outFile: join(tmp, 'broken.zip'), manifestDir: dir }).then(
      () => expect.fail('expected a refusal'),
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(PackageError);
    expect((err as PackageError).problems.join('\n')).to.match(/\/name\/short must NOT have more than 30 characters/);
  });

  it('when no Teams app id is configured, then the default is a stable v5 UUID derived from the bot id', () => {
    const id = defaultTeamsAppId(BOT_ID);
    expect(id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(defaultTeamsAppId(BOT_ID.toUpperCase())).to.equal(id);
    expect(defaultTeamsAppId(APP_ID)).not.to.equal(id);
  });
});
