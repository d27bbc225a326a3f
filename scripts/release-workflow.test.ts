// The release workflow, read as YAML: the tag is checked against
// package.json before anything is built; signing variables reach
// electron-builder only through scripts/release-env.ts, never straight from a
// secret; each leg builds, installs what teachers install and smoke-tests it;
// the release is drafted from the three legs; every job runs on the primary
// Node line. Each check is also shown to fire on a workflow that breaks it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { readNodeLines } from './node-lines';
import { SECRET_PREFIX, SIGNING_VARIABLES } from './release-env';
import { tagProblem } from './release-version';

const ROOT = new URL('..', import.meta.url);
const TEXT = fs.readFileSync(new URL('.github/workflows/release.yml', ROOT), 'utf8');
const VERSION: string = JSON.parse(fs.readFileSync(new URL('package.json', ROOT), 'utf8')).version;

interface Step {
  name?: string;
  shell?: string;
  run?: string;
  uses?: string;
  with?: Record<string, unknown>;
  if?: string;
  env?: Record<string, string>;
  'timeout-minutes'?: number;
}
interface Job {
  needs?: string | string[];
  if?: string;
  env?: Record<string, string>;
  steps: Step[];
  strategy?: { matrix: { include: Array<{ os: string }> } };
}
interface Workflow {
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

const needs = (job: Job | undefined) => [job?.needs ?? []].flat();
const runs = (job: Job) => job.steps.map((s) => s.run ?? '');
const stepIndex = (job: Job, pattern: RegExp) => runs(job).findIndex((r) => pattern.test(r));
const smokeStep = (job: Job, os: string) =>
  job.steps.find((s) => s.if === `runner.os == '${os}'` && /--smoke-test/.test(s.run ?? ''));

/** Everything this file requires of the workflow; empty when it holds. */
function workflowProblems(w: Workflow): string[] {
  const problems: string[] = [];
  const { version, installers, release } = w.jobs;
  if (
    !version ||
    !version.steps.some((s) => /scripts\/release-version\.ts "\$GITHUB_REF"/.test(s.run ?? ''))
  )
    problems.push('no version job running scripts/release-version.ts on $GITHUB_REF');
  if (!installers) return [...problems, 'no installers job'];
  if (!needs(installers).includes('version'))
    problems.push('installers do not wait for the version check');
  if (!release || !needs(release).includes('installers') || !needs(release).includes('version'))
    problems.push('release does not need the version check and the installers');
  // The primary Node line, the desktop app's: docs/development.md#node-lines.
  const primary = readNodeLines()[0]!.line;
  for (const [name, job] of Object.entries(w.jobs))
    for (const step of job.steps)
      if (step.uses?.startsWith('actions/setup-node@') && step.with?.['node-version'] !== primary)
        problems.push(
          `${name} runs on Node ${String(step.with?.['node-version'])}, not ${primary}`,
        );

  // Signing: no step, job or workflow sets a signing variable itself.
  const envs = [
    w.env,
    ...Object.values(w.jobs).flatMap((j) => [j.env, ...j.steps.map((s) => s.env)]),
  ];
  for (const env of envs)
    for (const name of Object.keys(env ?? {}))
      if ((SIGNING_VARIABLES as readonly string[]).includes(name))
        problems.push(
          `${name} is set in the workflow (an empty secret would reach electron-builder)`,
        );
  const signing = installers.steps.find((s) => /scripts\/release-env\.ts/.test(s.run ?? ''));
  if (!signing) problems.push('no signing step running scripts/release-env.ts');
  else {
    for (const name of SIGNING_VARIABLES)
      if (signing.env?.[SECRET_PREFIX + name] !== `\${{ secrets.${name} }}`)
        problems.push(`the signing step does not pass secrets.${name} as ${SECRET_PREFIX}${name}`);
    const at = installers.steps.indexOf(signing);
    if (!(stepIndex(installers, /^npm ci\b/) < at && at < stepIndex(installers, /^npm run dist$/)))
      problems.push('the signing step must run after npm ci and before npm run dist');
  }
  // A secret anywhere else (a run line, another step's env) bypasses the script.
  const secretUses = (JSON.stringify(w).match(/secrets\.\w+/g) ?? []).length;
  if (secretUses !== Object.keys(signing?.env ?? {}).length)
    problems.push('secrets are used outside the signing step');

  const oses = installers.strategy?.matrix.include.map((m) => m.os) ?? [];
  if (oses.join() !== 'windows-latest,macos-latest,ubuntu-24.04')
    problems.push(`the legs are ${oses.join(', ')}`);
  const dist = stepIndex(installers, /^npm run dist$/);
  const feed = stepIndex(installers, /^npm pkg set "repository=github:\$GITHUB_REPOSITORY"$/);
  if (feed < 0 || feed > dist || installers.steps[feed]!.shell !== 'bash')
    problems.push("the packaged app does not learn its repository (the update check's feed)");
  const archCheck = stepIndex(
    installers,
    /^node --import tsx scripts\/check-packaged\.ts dist \$\{\{ runner\.os == 'macOS' && 'x64 arm64' \|\| 'x64' \}\}$/,
  );
  if (archCheck < dist)
    problems.push('no check of the packaged native modules (x64 and arm64 on macOS)');
  for (const os of ['Linux', 'macOS', 'Windows']) {
    const step = smokeStep(installers, os);
    if (!step) problems.push(`no ${os} smoke test`);
    else if (!step['timeout-minutes'] || installers.steps.indexOf(step) < archCheck)
      problems.push(`the ${os} smoke test needs a timeout and must follow the build and its check`);
  }
  const linux = smokeStep(installers, 'Linux')?.run ?? '';
  if (
    !/^sudo apt-get install -y \.\/dist\/\*\.deb$/m.test(linux) ||
    !/^xvfb-run -a lanboard --smoke-test$/m.test(linux)
  )
    problems.push('the deb is not installed with apt and started as `lanboard`');
  if (!/^xvfb-run -a \.\/dist\/\*\.AppImage --smoke-test$/m.test(linux))
    problems.push('the AppImage is not started as the docs say (no flags of our own)');
  if (
    !/hdiutil attach "\$dmg"[\s\S]*Contents\/MacOS\/Lanboard" --smoke-test/.test(
      smokeStep(installers, 'macOS')?.run ?? '',
    )
  )
    problems.push('the DMGs are not opened and their apps started');
  const windows = smokeStep(installers, 'Windows')?.run ?? '';
  for (const part of [
    "'/S /allusers'",
    "'/S /currentuser'",
    'show rule name=Lanboard',
    'Programs\\Lanboard\\Lanboard.exe',
  ])
    if (!windows.includes(part)) problems.push(`the Windows smoke test lacks ${part}`);

  const draft = release?.steps.find((s) => /gh release create/.test(s.run ?? ''))?.run ?? '';
  if (!/--draft/.test(draft) || !/--verify-tag/.test(draft))
    problems.push('the release is not drafted on the existing tag');
  if (release?.if !== "startsWith(github.ref, 'refs/tags/v')")
    problems.push('the release is not limited to v* tags');
  return problems;
}

const workflow = () => parse(TEXT) as Workflow;

describe('the release workflow', () => {
  test('holds every rule', () => {
    assert.deepEqual(workflowProblems(workflow()), []);
  });

  test('a signing variable set straight from a secret is caught', () => {
    const w = workflow();
    const dist = w.jobs.installers!.steps.find((s) => s.run === 'npm run dist')!;
    dist.env = { CSC_LINK: '${{ secrets.CSC_LINK }}' };
    assert.deepEqual(workflowProblems(w), [
      'CSC_LINK is set in the workflow (an empty secret would reach electron-builder)',
      'secrets are used outside the signing step',
    ]);
    const echo = workflow();
    echo.jobs.installers!.steps.push({
      run: 'echo "CSC_LINK=${{ secrets.CSC_LINK }}" >> "$GITHUB_ENV"',
    });
    assert.deepEqual(workflowProblems(echo), ['secrets are used outside the signing step']);
  });

  test('a missing version check, or installers that do not wait for it, are caught', () => {
    const w = workflow();
    delete w.jobs.version;
    w.jobs.installers!.needs = [];
    assert.deepEqual(workflowProblems(w).slice(0, 2), [
      'no version job running scripts/release-version.ts on $GITHUB_REF',
      'installers do not wait for the version check',
    ]);
  });

  test('a job on another Node line than the primary one is caught', () => {
    const w = workflow();
    w.jobs.version!.steps.find((s) => s.uses?.startsWith('actions/setup-node@'))!.with = {
      'node-version': 22,
    };
    assert.deepEqual(workflowProblems(w), [
      `version runs on Node 22, not ${readNodeLines()[0]!.line}`,
    ]);
  });

  test('a macOS leg that checks only the host arch is caught', () => {
    const w = workflow();
    const check = w.jobs.installers!.steps.find((s) => /check-packaged/.test(s.run ?? ''))!;
    check.run = 'node --import tsx scripts/check-packaged.ts dist x64';
    assert.deepEqual(workflowProblems(w), [
      'no check of the packaged native modules (x64 and arm64 on macOS)',
    ]);
  });

  test('a smoke test of the unpacked build instead of the installed deb is caught', () => {
    const w = workflow();
    const linux = smokeStep(w.jobs.installers!, 'Linux')!;
    linux.run = 'xvfb-run -a dist/linux-unpacked/lanboard --smoke-test';
    assert.ok(
      workflowProblems(w).includes('the deb is not installed with apt and started as `lanboard`'),
    );
  });
});

describe('the tag check', () => {
  test('a tag must be v<version>; a run without a tag has nothing to check', () => {
    assert.equal(tagProblem('refs/tags/v1.2.3', '1.2.3'), undefined);
    assert.equal(tagProblem('refs/heads/main', '1.2.3'), undefined);
    assert.equal(
      tagProblem('refs/tags/v1.2.4', '1.2.3'),
      'the tag v1.2.4 does not match package.json\'s version 1.2.3: tag v1.2.3, or set "version" to 1.2.4',
    );
    assert.match(tagProblem('refs/tags/1.2.3', '1.2.3')!, /does not match/);
  });

  test("the script exits 1 on a tag that is not package.json's version", () => {
    const run = (ref: string) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'scripts/release-version.ts', ref], {
        cwd: ROOT,
        encoding: 'utf8',
      });
    assert.equal(run(`refs/tags/v${VERSION}`).status, 0);
    const wrong = run('refs/tags/v99.0.0');
    assert.equal(wrong.status, 1);
    assert.match(
      wrong.stderr,
      new RegExp(
        `v99\\.0\\.0 does not match package.json's version ${VERSION.replace(/\./g, '\\.')}`,
      ),
    );
  });

  test('the script uses nothing Node cannot run by stripping types (the version job has no npm ci)', () => {
    const source = fs.readFileSync(new URL('scripts/release-version.ts', ROOT), 'utf8');
    const imports = [...source.matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1]);
    assert.deepEqual(
      imports.filter((i) => !i!.startsWith('node:')),
      [],
    );
    assert.doesNotMatch(source, /\benum\b|\bnamespace\b|constructor\(\s*(private|public|readonly)/);
  });
});
