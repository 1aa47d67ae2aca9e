/**
 * `npm run package`: builds the Teams app package to sideload (dist/rewards-bot-teams-app.zip).
 *
 * Reads manifest/manifest.json (a template with `${{TEAMS_APP_ID}}` and `${{BOT_ID}}`, Teams Toolkit
 * style), fills the ids, validates the result offline against the schema bundled in
 * `@microsoft/app-manifest` (never fetched from the network), checks the icon sizes and writes a zip
 * holding manifest.json, color.png and outline.png at its root.
 *
 * Configuration (environment, `.env` if present):
 *   MicrosoftAppId  the bot's Microsoft App ID (required: a package without it cannot reach the bot)
 *   TEAMS_APP_ID    the Teams app id (optional; default: a stable UUID derived from the bot id, so
 *                   re-packaging updates the same app instead of installing a second one)
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { AppManifestUtils, type AppManifest } from '@microsoft/app-manifest';
import { createZip } from './zip.js';
import { assetDir } from '../../assets.js';

/** The folder holding manifest.json and the icons. */
export const MANIFEST_DIR = assetDir('manifest');
export const DEFAULT_OUT_FILE = 'dist/rewards-bot-teams-app.zip';

/** Fixed namespace for deriving the default Teams app id from the bot id (UUID v5). */
const APP_ID_NAMESPACE = 'f4c1ed67-61e4-4331-a7e2-a8d6edc2881a';
const GUID = /^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/;
const PLACEHOLDER = /\$\{\{([A-Za-z0-9_]+)\}\}/g;
const ICONS = { 'color.png': 192, 'outline.png': 32 } as const;

export class PackageError extends Error {
  constructor(
    message: string,
    readonly problems: string[] = [],
  ) {
    super(problems.length > 0 ? `${message}\n${problems.map((p) => `  - ${p}`).join('\n')}` : message);
    this.name = 'PackageError';
  }
}

export function isGuid(value: string): boolean {
  return GUID.test(value);
}

/** RFC 4122 name-based UUID (version 5, SHA-1). */
export function uuidV5(name: string, namespace: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The Teams app id used when TEAMS_APP_ID is not set: stable for a given bot id. */
export function defaultTeamsAppId(botId: string): string {
  return uuidV5(`rewards-bot-teams-app:${botId.toLowerCase()}`, APP_ID_NAMESPACE);
}

/** Replaces every `${{NAME}}` in the template; refuses when one has no value. */
export function fillTemplate(template: string, values: Record<string, string>): string {
  const missing = new Set<string>();
  const filled = template.replace(PLACEHOLDER, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) {
      missing.add(name);
      return whole;
    }
    // Values land inside JSON strings: escape them as JSON would.
    return JSON.stringify(value).slice(1, -1);
  });
  if (missing.size > 0) {
    throw new PackageError('the manifest template has placeholders without a value', [...missing].map((n) => `\${{${n}}}`));
  }
  return filled;
}

/** Loads the schema for a manifest version from the copy bundled in @microsoft/app-manifest. */
export async function bundledSchema(manifestVersion: string): Promise<object> {
  if (!/^(\d+\.\d+|devPreview)$/.test(manifestVersion)) {
    throw new PackageError(`unsupported manifestVersion "${manifestVersion}"`);
  }
  const packageBuild = dirname(createRequire(import.meta.url).resolve('@microsoft/app-manifest'));
  const file = join(packageBuild, 'json-schemas', 'teams', `v${manifestVersion === 'devPreview' ? 'DevPreview' : manifestVersion}`, 'MicrosoftTeams.schema.json');
  if (!existsSync(file)) {
    throw new PackageError(`no bundled schema for manifestVersion ${manifestVersion} in @microsoft/app-manifest (looked for ${file})`);
  }
  // Same clean-up as AppManifestUtils.fetchSchema: \a and \v escapes are not valid in JS regexes with the u flag.
  const raw = await readFile(file, 'utf8');
  return JSON.parse(raw.replace(/\\a/g, '\\u0007').replace(/\\v/g, '\\u000b')) as object;
}

/**
 * Validates a Teams manifest against the bundled schema of its manifestVersion, offline.
 * Returns the schema errors (empty when valid).
 */
export async function validateManifest(manifest: object): Promise<string[]> {
  const version = (manifest as { manifestVersion?: unknown }).manifestVersion;
  if (typeof version !== 'string') return ['/manifestVersion is missing'];
  const schema = await bundledSchema(version);
  // The schema is passed explicitly so the library never falls back to fetching it.
  return AppManifestUtils.validateAgainstSchema(manifest as AppManifest, schema as Parameters<typeof AppManifestUtils.validateAgainstSchema>[1]);
}

/** Width and height from a PNG's IHDR chunk, or undefined when the data is not a PNG. */
export function pngSize(data: Buffer): { width: number; height: number } | undefined {
  const signature = '89504e470d0a1a0a';
  if (data.length < 24 || data.subarray(0, 8).toString('hex') !== signature || data.toString('ascii', 12, 16) !== 'IHDR') {
    return undefined;
  }
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}

export async function buildAppPackage(opts: {
  appId: string;
  botId: string;
  outFile: string;
  manifestDir?: string;
}): Promise<{ file: string; manifest: object }> {
  const dir = opts.manifestDir ?? MANIFEST_DIR;
  if (!isGuid(opts.botId)) {
    throw new PackageError(`the bot id must be a GUID (the bot's Microsoft App ID), got "${opts.botId}"`);
  }
  if (!isGuid(opts.appId)) {
    throw new PackageError(`the Teams app id must be a GUID, got "${opts.appId}"`);
  }

  const template = await readFile(join(dir, 'manifest.json'), 'utf8');
  const text = fillTemplate(template, { TEAMS_APP_ID: opts.appId, BOT_ID: opts.botId });
  let manifest: object;
  try {
    manifest = JSON.parse(text) as object;
  } catch (e) {
    throw new PackageError(`manifest.json is not valid JSON: ${(e as Error).message}`);
  }
  const errors = await validateManifest(manifest);
  if (errors.length > 0) throw new PackageError('the manifest does not match its schema', errors);

  const files: Array<{ name: string; data: Buffer }> = [{ name: 'manifest.json', data: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8') }];
  const iconProblems: string[] = [];
  for (const [name, size] of Object.entries(ICONS)) {
    const data = await readFile(join(dir, name));
    const actual = pngSize(data);
    if (actual === undefined) iconProblems.push(`${name} is not a PNG`);
    else if (actual.width !== size || actual.height !== size) {
      iconProblems.push(`${name} is ${actual.width}×${actual.height}, Teams needs ${size}×${size}`);
    }
    files.push({ name, data });
  }
  if (iconProblems.length > 0) throw new PackageError('the icons do not fit', iconProblems);

  const file = resolve(opts.outFile);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, createZip(files));
  return { file, manifest };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const botId = process.env.MicrosoftAppId?.trim() ?? '';
  if (botId === '') {
    process.stderr.write(
      'error: MicrosoftAppId is not set. The Teams app package names the bot by its Microsoft App ID;\n' +
        'without it Teams cannot reach the bot. Set MicrosoftAppId (in .env or the environment) and rerun.\n',
    );
    process.exit(1);
  }
  const envAppId = process.env.TEAMS_APP_ID?.trim() ?? '';
  const appId = envAppId !== '' ? envAppId : defaultTeamsAppId(botId);
  buildAppPackage({ appId, botId, outFile: DEFAULT_OUT_FILE }).then(
    ({ file }) => {
      process.stdout.write(
        `wrote ${file}\n` +
          `  Teams app id: ${appId}${envAppId !== '' ? ' (TEAMS_APP_ID)' : ' (derived from the bot id; set TEAMS_APP_ID to override)'}\n` +
          `  bot id:       ${botId} (MicrosoftAppId)\n` +
          'Upload it in Teams: Apps > Manage your apps > Upload an app.\n',
      );
    },
    (e: unknown) => {
      process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
