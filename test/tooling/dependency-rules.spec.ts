import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * `npm run depcruise` (part of `npm test`) must fail on a forbidden import.
 * This writes throwaway files that break each rule, cruises them with the project's configuration and
 * reporters, and removes them.
 */
const root = join(__dirname, '..', '..');
const cli = join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruiser.mjs');
const id = `zz-probe-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
const probes = {
  moduleA: `src/modules/${id}-a`,
  moduleB: `src/modules/${id}-b`,
  platform: `src/platform/${id}`,
};
const files: Record<string, string> = {
  // a pure domain file pulling in the framework
  [`${probes.moduleA}/domain/framework.ts`]: `import { Injectable } from '@nestjs/common';\nexport const probe = Injectable;\n`,
  // a module reaching into another module's internals instead of its index.ts
  [`${probes.moduleA}/internals.ts`]: `import '../scoring/domain/half-life';\n`,
  // two modules depending on each other (through their index.ts files, so only the cycle is wrong)
  [`${probes.moduleA}/index.ts`]: `import '../${id}-b/index';\nimport './domain/framework';\nimport './internals';\n`,
  [`${probes.moduleB}/index.ts`]: `import '../${id}-a/index';\n`,
  // the platform depending on a product module
  [`${probes.platform}/uses-module.ts`]: `import '../../modules/scoring/domain/half-life';\n`,
};

function depcruise(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...Object.values(probes), '--config', '.dependency-cruiser.cjs', ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('dependency rules (dependency-cruiser)', () => {
  beforeAll(() => {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
  });
  afterAll(() => {
    for (const dir of Object.values(probes)) rmSync(join(root, dir), { recursive: true, force: true });
  });

  it('fails on a framework import in domain/, a reach into another module, and the platform importing a module', () => {
    // the same reporter and flags as `npm run depcruise`
    const r = depcruise('--output-type', 'err');
    expect(r.status).toBe(3);
    expect(r.stdout).toMatch(new RegExp(`error pure-domain: ${probes.moduleA}/domain/framework\\.ts → node_modules/@nestjs/common/`));
    expect(r.stdout).toContain(`error module-through-index: ${probes.moduleA}/internals.ts → src/modules/scoring/domain/half-life.ts`);
    expect(r.stdout).toContain(`error platform-not-modules: ${probes.platform}/uses-module.ts → src/modules/scoring/domain/half-life.ts`);
  });

  it('fails on a cycle between two modules', () => {
    const r = depcruise('--output-type', `plugin:${join(root, 'scripts', 'module-cycles-reporter.mjs')}`);
    expect(r.status).not.toBe(0);
    expect(r.stdout).toContain(`error no-module-cycles: ${id}-a → ${id}-b closes a cycle between modules`);
  });
});
