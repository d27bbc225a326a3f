import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The hub's layers, bottom up (docs/architecture.md, "Layers"). A folder of
// server/ may import folders of its own layer and of the layers below, never
// one above; each protocol under protocols/ imports no other protocol. Tests
// are integration tests and may reach across (they are not checked here).
const LAYERS = [
  ['log'],
  ['config'],
  ['store', 'cluster', 'transport'],
  ['hub', 'auth', 'metrics'],
  ['discovery', 'board'],
  ['protocols'],
  ['classroom'],
  ['admin'],
  ['host', 'loadtest'],
];
/** The files at the top of server/: only host/ reaches them (the supervisor builds hubs). */
const TOP_FILES = ['index', 'create-hub', 'cli', 'commands'];
const PROTOCOLS = ['chat', 'sse', 'workspaces', 'y-webrtc', 'yjs', 'zwibbler'];

const ELECTRON = [
  {
    group: ['electron', 'electron/*'],
    message: 'server/ runs on plain Node: never import electron.',
  },
  { group: ['**/app/**', '**/renderer/**'], message: 'server/ must not import app/ or renderer/.' },
];

/** A relative import that climbs to one of `names` (a folder, or a file without extension). */
const climbsTo = (names) => `^(\\.\\./)+(${names.join('|')})(/|$)`;

function restrictImports(patterns) {
  return { 'no-restricted-imports': ['error', { patterns: [...ELECTRON, ...patterns] }] };
}

function serverLayerRules() {
  const configs = [
    {
      // The hub is plain Node: it runs headless, so it must never pull in Electron
      // or the desktop and UI folders.
      files: ['server/**/*.ts'],
      rules: restrictImports([]),
    },
  ];
  LAYERS.forEach((layer, i) => {
    const above = LAYERS.slice(i + 1).flat();
    const forbidden = [...above, ...(layer.includes('host') ? [] : TOP_FILES)];
    for (const folder of layer) {
      const patterns = [
        {
          regex: climbsTo(forbidden),
          message: `server/${folder}/ sits below ${above.join(', ')} and the top files: it must not import them (docs/architecture.md, "Layers").`,
        },
      ];
      if (folder !== 'protocols') {
        configs.push({
          files: [`server/${folder}/**/*.ts`],
          ignores: ['**/*.test.ts'],
          rules: restrictImports(patterns),
        });
        continue;
      }
      for (const protocol of PROTOCOLS) {
        const others = PROTOCOLS.filter((p) => p !== protocol);
        configs.push({
          files: [`server/protocols/${protocol}/**/*.ts`],
          ignores: ['**/*.test.ts'],
          rules: restrictImports([
            ...patterns,
            {
              regex: climbsTo(others),
              message: 'A protocol imports no other protocol: share code through a lower layer.',
            },
          ]),
        });
      }
    }
  });
  return configs;
}

/** Anything under server/ except the paths `allowed` (a regex after `server/`). */
function onlyFromServer(allowed, message) {
  return { regex: `(^|/)server/(?!${allowed})`, message };
}

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'coverage/',
      'renderer/dist/',
      'renderer/board/dist/',
      'test-results/',
      'out/',
      'lib/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  ...serverLayerRules(),
  {
    // The desktop app uses the hub only through its public surface.
    files: ['app/**/*.ts'],
    ignores: ['app/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [onlyFromServer('index$', 'app/ uses the hub only through server/index.ts.')] },
      ],
    },
  },
  {
    // Its tests may also use the test clients under server/test/.
    files: ['app/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            onlyFromServer(
              'index$|test/',
              'app/ tests use the hub through server/index.ts and server/test/.',
            ),
          ],
        },
      ],
    },
  },
  {
    // The dashboard runs in a browser and talks to the hub over HTTP only: of
    // server/ it may use the API wire types, nothing else
    // (docs/architecture.md#the-dashboard-talks-to-the-hub-over-http).
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    ignores: ['renderer/vite.config.ts', 'renderer/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            onlyFromServer(
              'admin/api-types$|classroom/api-types$',
              'renderer/ uses the hub through its HTTP APIs: import only their wire types (api-types.ts).',
            ),
          ],
        },
      ],
    },
  },
);
