// dependency-cruiser: the module boundaries of ARCHITECTURE.md ("Target module map"), checked by `npm run depcruise`
// (part of `npm test`); any violation fails.
// Cycles between modules (rule no-module-cycles) are found by scripts/module-cycles-reporter.mjs, run by the same
// npm script: dependency-cruiser's own `circular` works on files, and two modules can depend on each other both
// ways without a file cycle.
const { existsSync, readdirSync } = require('node:fs');
const { join } = require('node:path');

// Packages a pure domain must not import: the framework, the ORM, queues and drivers.
const FRAMEWORK = '^node_modules/(@nestjs/|typeorm/|bull/|@bull-board/|ioredis/|pg/|pg-[^/]+/|express/|nest-commander/|passport[^/]*/|prom-client/)';

// A platform folder that has an index.ts is reached only through it; a folder without one (modules use none of
// its files today) is still public file by file. Adding src/platform/<folder>/index.ts closes that folder.
const platformDir = join(__dirname, 'src', 'platform');
const closedPlatformFolders = existsSync(platformDir)
  ? readdirSync(platformDir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(join(platformDir, entry.name, 'index.ts')))
      .map((entry) => entry.name)
  : [];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'module-through-index',
      comment:
        'A module reaches another module only through its public surface, src/modules/<name>/index.ts, or, for ' +
        "the framework-free core, src/modules/<name>/domain/index.ts (a domain folder importing a module's index " +
        'would pull NestJS in with it).',
      severity: 'error',
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: '^src/modules/([^/]+)/', pathNot: ['^src/modules/$1/', '^src/modules/[^/]+/index\\.ts$', '^src/modules/[^/]+/domain/index\\.ts$'] },
    },
    {
      name: 'pure-domain',
      comment: 'domain/ folders hold pure logic: no NestJS, TypeORM, Bull, Redis or PostgreSQL imports.',
      severity: 'error',
      from: { path: ['^src/platform/domain/', '^src/(modules|platform)/.*/domain/'], pathNot: '\\.spec\\.ts$' },
      to: { path: FRAMEWORK },
    },
    {
      name: 'platform-not-modules',
      comment: 'The platform holds mechanisms and never depends on a product module.',
      severity: 'error',
      from: { path: '^src/platform/' },
      to: { path: '^src/modules/' },
    },
    {
      name: 'platform-through-public-files',
      comment:
        'Modules use a platform folder that has an index.ts only through it (see closedPlatformFolders above); ' +
        'folders without one are public file by file.',
      severity: 'error',
      from: { path: '^src/modules/' },
      to: {
        path: closedPlatformFolders.length ? `^src/platform/(${closedPlatformFolders.join('|')})/` : '^$',
        pathNot: '^src/platform/[^/]+/index\\.ts$',
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|coverage)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
