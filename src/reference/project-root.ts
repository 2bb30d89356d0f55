import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder holding package.json. Code runs from `src/` under Jest and from `dist/src/` in production, so paths to
 * `config/` are resolved from here rather than from the calling file's depth.
 */
export function projectRoot(): string {
  let folder = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(folder, 'package.json'))) {
    const parent = dirname(folder);
    if (parent === folder) throw new Error('popgate: package.json not found above ' + fileURLToPath(import.meta.url));
    folder = parent;
  }
  return folder;
}
