/**
 * Where the card templates, program editions and app manifest are: copied beside the compiled code
 * by `npm run build` (dist/cards, dist/programs, dist/manifest), else at the top of the repository
 * (running the TypeScript sources).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function assetDir(name: 'cards' | 'programs' | 'manifest'): string {
  const beside = new URL(`./${name}/`, import.meta.url);
  return fileURLToPath(existsSync(beside) ? beside : new URL(`../${name}/`, import.meta.url));
}
