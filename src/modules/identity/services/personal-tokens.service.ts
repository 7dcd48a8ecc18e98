import { Injectable } from '@nestjs/common';
import { DataSource, IsNull } from 'typeorm';
import { Clock } from '../../../platform/clock';
import { PlatformErrors } from '../../../platform/http';
import { ServerKeys } from '../../../platform/security';
import { Principal } from '../../../platform/tenancy';
import { newId } from '../../../platform/database';
import { hashSecret, newPersonalAccessToken } from '../domain/credentials';
import { PersonalAccessToken } from '../entities/personal-access-token.entity';
import { ActiveOuService } from './active-ou.service';
import { CredentialCache } from './credential-cache.service';
import { IdentityErrors } from '../identity.errors';

/** Personal access tokens: shown once, stored as a keyed hash, revocable only by their owner, at once. */
@Injectable()
export class PersonalTokensService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly keys: ServerKeys,
    private readonly clock: Clock,
    private readonly cache: CredentialCache,
    private readonly activeOu: ActiveOuService,
  ) {}

  list(p: Principal): Promise<PersonalAccessToken[]> {
    return this.dataSource.getRepository(PersonalAccessToken).find({ where: { orgMemberId: p.memberId!, revokedAt: IsNull() }, order: { createdAt: 'DESC' } });
  }

  async create(p: Principal, name: string, expiresAt: Date | null): Promise<{ pat: PersonalAccessToken; token: string }> {
    if (expiresAt && expiresAt.getTime() <= this.clock.now().getTime()) {
      throw PlatformErrors.error('validation_failed', 'expires_at: must be in the future', [{ field: 'expires_at', reason: 'must be in the future' }]);
    }
    const { token, prefix } = newPersonalAccessToken();
    const repo = this.dataSource.getRepository(PersonalAccessToken);
    const id = newId('pat');
    await repo.insert({
      id,
      orgId: p.orgId,
      orgMemberId: p.memberId!,
      name: name.trim(),
      tokenPrefix: prefix,
      tokenHash: hashSecret(this.keys.credentialHmacKey, token),
      expiresAt,
      lastUsedAt: null,
      revokedAt: null,
    });
    return { pat: await repo.findOneByOrFail({ id }), token };
  }

  async revoke(p: Principal, id: string): Promise<PersonalAccessToken> {
    const repo = this.dataSource.getRepository(PersonalAccessToken);
    const pat = await repo.findOneBy({ id, orgMemberId: p.memberId!, revokedAt: IsNull() });
    if (!pat) throw IdentityErrors.notFound('token_not_found', 'token');
    await repo.update({ id }, { revokedAt: this.clock.now() });
    await this.activeOu.forgetCredential(`pat:${id}`);
    await this.cache.invalidate(`pat:${id}`);
    return pat;
  }
}
