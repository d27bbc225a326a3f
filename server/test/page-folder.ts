// A throwaway folder holding a page's files, as a school would copy one for the
// hub to host (RtcPageDir).
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from './hub-fixture';

export function pageFolder(files: Record<string, string>): { dir: string; remove: () => void } {
  const folder = tempDir('lanboard-page-');
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(folder.dir, name)), { recursive: true });
    fs.writeFileSync(path.join(folder.dir, name), content);
  }
  return folder;
}
