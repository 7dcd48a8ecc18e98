import { Injectable } from '@nestjs/common';
import { DataSource, IsNull } from 'typeorm';
import { Clock } from '../../../platform/clock';
import { ServerKeys } from '../../../platform/security';
import { newId } from '../../../platform/database';
import { hashSecret, newServiceAccountCredentials } from '../domain/credentials';
import { ServiceAccount } from '../entities/service-account.entity';
import { ActiveOuService } from './active-ou.service';
import { CredentialCache } from './credential-cache.service';
import { IdentityErrors } from '../identity.errors';

/** Service-account credentials: the secret is shown once at creation and stored only as a keyed hash. */
@Injectable()
export class ServiceAccountsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly keys: ServerKeys,
    private readonly clock: Clock,
    private readonly cache: CredentialCache,
    private readonly activeOu: ActiveOuService,
  ) {}

  list(orgId: string): Promise<ServiceAccount[]> {
    return this.dataSource.getRepository(ServiceAccount).find({ where: { orgId, deletedAt: IsNull() }, order: { createdAt: 'ASC' } });
  }

  async create(orgId: string, name: string, createdBy: string | null): Promise<{ account: ServiceAccount; clientSecret: string }> {
    const { clientId, clientSecret } = newServiceAccountCredentials();
    const account = this.dataSource.getRepository(ServiceAccount).create({
      id: newId('sec'),
      orgId,
      name: name.trim(),
      clientId,
      secretHash: hashSecret(this.keys.credentialHmacKey, clientSecret),
      createdBy,
      lastUsedAt: null,
      deletedAt: null,
    });
    await this.dataSource.getRepository(ServiceAccount).insert(account);
    const saved = await this.dataSource.getRepository(ServiceAccount).findOneByOrFail({ id: account.id });
    return { account: saved, clientSecret };
  }

  /** Takes effect on the next request: verification reads the row every time. */
  async remove(orgId: string, id: string): Promise<ServiceAccount> {
    const repo = this.dataSource.getRepository(ServiceAccount);
    const account = await repo.findOneBy({ id, orgId, deletedAt: IsNull() });
    if (!account) throw IdentityErrors.notFound('secret_not_found', 'API credential');
    await repo.update({ id }, { deletedAt: this.clock.now() });
    await this.activeOu.forgetCredential(`sa:${id}`);
    await this.cache.invalidate(`sa:${id}`);
    return account;
  }
}
