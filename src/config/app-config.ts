import { Environment, Role, validateEnvironment } from './environment';

/** Typed, validated configuration, read once per process. Inject `AppConfig`. */
export class AppConfig {
  constructor(readonly env: Environment) {}

  static fromProcess(overrides: Partial<Record<keyof Environment, unknown>> = {}): AppConfig {
    return new AppConfig(validateEnvironment({ ...process.env, ...overrides }));
  }

  get isTest(): boolean {
    return this.env.NODE_ENV === 'test';
  }

  get corsOrigins(): string[] | true | false {
    const raw = this.env.CORS_ORIGINS.trim();
    if (!raw) return false;
    if (raw === '*') return true;
    return raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }

  get databaseName(): string {
    return new URL(this.env.DATABASE_URL).pathname.replace(/^\//, '');
  }

  rolesOr(fallback: Role[]): Role[] {
    const raw = this.env.KENBUN_ROLES?.trim();
    if (!raw) return fallback;
    return raw
      .split(',')
      .map((r) => r.trim())
      .filter((r): r is Role => r === 'api' || r === 'worker');
  }
}
