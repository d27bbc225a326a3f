// The layout's rules (docs/architecture.md, "Layers"): no runtime import circle
// in server/, app/ or renderer/, and ESLint refusing the imports that would
// break the layers.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { ESLint } from 'eslint';
import { importCircles, sourceFiles } from './import-graph';

describe('import circles', () => {
  for (const root of ['server', 'app', 'renderer']) {
    test(`${root}/ has none but type-only ones`, () => {
      assert.deepEqual(importCircles(sourceFiles(root)), []);
    });
  }

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lanboard-circles-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => fs.writeFileSync(path.join(dir, name), text);

  test('a circle of value imports is found; one closed by a type-only import is not', () => {
    write('a.ts', "import { b } from './b';\nexport const a = () => b;\n");
    write('b.ts', "import { c } from './c';\nexport const b = c;\n");
    write('c.ts', "import { a } from './a';\nexport const c = a;\n");
    write('d.ts', "import { e } from './e';\nexport interface D { e: typeof e }\n");
    write(
      'e.ts',
      "import type { D } from './d';\nimport { type D as F } from './d';\nexport const e = 1;\nexport type E = D | F;\n",
    );
    write('f.ts', "export { a } from './a';\nexport type { D } from './d';\n");
    const circles = importCircles(sourceFiles(dir));
    assert.deepEqual(
      circles.map((c) => c.map((f) => path.basename(f))),
      [['a.ts', 'b.ts', 'c.ts']],
    );
  });
});

describe('ESLint keeps the layers', () => {
  const eslint = new ESLint();
  /** The messages of the import rule for `code` placed at `file`. */
  const refusals = async (file: string, code: string) => {
    const [result] = await eslint.lintText(code, { filePath: file });
    return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports');
  };
  const refused = async (file: string, code: string) =>
    assert.equal((await refusals(file, code)).length, 1, `${file}: ${code}`);
  const allowed = async (file: string, code: string) =>
    assert.deepEqual(await refusals(file, code), [], `${file}: ${code}`);

  test('hub/, auth/, transport/, store/ and config/ import no protocol', async () => {
    for (const folder of ['hub', 'auth', 'transport', 'store', 'config']) {
      await refused(
        `server/${folder}/x.ts`,
        "import { ErrorCode } from '../protocols/zwibbler/codec';\nexport const x = ErrorCode;\n",
      );
    }
    await allowed(
      'server/hub/x.ts',
      "import { openStore } from '../store/open-store';\nexport const x = openStore;\n",
    );
  });

  test('a lower layer imports nothing above it, nor the top files', async () => {
    await refused(
      'server/store/x.ts',
      "import type { Hub } from '../create-hub';\nexport type X = Hub;\n",
    );
    await refused(
      'server/transport/x.ts',
      "import type { AdminContext } from '../admin/context';\nexport type X = AdminContext;\n",
    );
    await refused(
      'server/protocols/yjs/x.ts',
      "import type { ClassroomService } from '../../classroom/service';\nexport type X = ClassroomService;\n",
    );
    await allowed(
      'server/classroom/x.ts',
      "import type { RoomGate } from '../protocols/yjs/room-gate';\nexport type X = RoomGate;\n",
    );
  });

  test('a protocol imports no other protocol, even from a subfolder', async () => {
    await refused(
      'server/protocols/yjs/x.ts',
      "import { ErrorCode } from '../zwibbler/codec';\nexport const x = ErrorCode;\n",
    );
    await refused(
      'server/protocols/zwibbler/management/x.ts',
      "import { YJS_PROTOCOL } from '../../yjs/mount';\nexport const x = YJS_PROTOCOL;\n",
    );
    await allowed(
      'server/protocols/zwibbler/management/x.ts',
      "import { topicOf } from '../live-document';\nexport const x = topicOf;\n",
    );
  });

  test('app/ imports the hub only through server/index.ts', async () => {
    await refused(
      'app/x.ts',
      "import { loadConfig } from '../server/config/load';\nexport const x = loadConfig;\n",
    );
    await allowed(
      'app/x.ts',
      "import { loadConfig } from '../server/index';\nexport const x = loadConfig;\n",
    );
  });

  test('renderer/ imports only the HTTP APIs\u2019 wire types', async () => {
    await refused(
      'renderer/src/x.ts',
      "import type { HubConfig } from '../../server/config/schema';\nexport type X = HubConfig;\n",
    );
    await allowed(
      'renderer/src/x.ts',
      "import type { Snapshot } from '../../server/admin/api-types';\nexport type X = Snapshot;\n",
    );
  });

  test('server/ never imports electron', async () => {
    await refused('server/admin/x.ts', "import { app } from 'electron';\nexport const x = app;\n");
  });
});
