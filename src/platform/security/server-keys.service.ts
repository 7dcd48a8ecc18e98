import { Injectable, OnModuleInit } from '@nestjs/common';
import { createHash, createSecretKey, KeyObject, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config';

/**
 * Server-side keys: the JWT signing key, the HMAC key of credential hashes and the key that encrypts secrets
 * stored in configuration rows (e.g. webhook auth headers). With KENBUN_SECRET_KEY set
 * they are derived from it (keep it outside the database); otherwise they are generated once and kept in
 * server_secrets, shared by every process on the database.
 */
@Injectable()
export class ServerKeys implements OnModuleInit {
  private keys = new Map<string, Buffer>();
  private jwtKey?: KeyObject;

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    for (const name of ['jwt_signing', 'credential_hmac', 'field_encryption']) this.keys.set(name, await this.load(name));
  }

  /** A KeyObject: jsonwebtoken verifies with one in microseconds, but rebuilds one from a Buffer each call (~0.3 ms). */
  get jwtSigningKey(): KeyObject {
    this.jwtKey ??= createSecretKey(this.get('jwt_signing'));
    return this.jwtKey;
  }

  get credentialHmacKey(): Buffer {
    return this.get('credential_hmac');
  }

  /** AES-256 key for secrets kept in configuration rows. */
  get fieldEncryptionKey(): Buffer {
    return this.get('field_encryption');
  }

  private get(name: string): Buffer {
    const k = this.keys.get(name);
    if (!k) throw new Error(`server key ${name} is not loaded yet`);
    return k;
  }

  private async load(name: string): Promise<Buffer> {
    const master = this.config.env.KENBUN_SECRET_KEY;
    if (master) return createHash('sha256').update(`${name}:${master}`).digest();
    await this.dataSource.query(`INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [
      name,
      randomBytes(32).toString('base64'),
    ]);
    const [row] = await this.dataSource.query(`SELECT value FROM server_secrets WHERE name = $1`, [name]);
    return Buffer.from(row.value, 'base64');
  }
}
