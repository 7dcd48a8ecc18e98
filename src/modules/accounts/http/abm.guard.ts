import { CanActivate, Injectable } from '@nestjs/common';
import { FitReads } from '../../scoring';

/** ABM-1 before anything else of the route (after the access guard): 403 `abm_disabled` unless the organization has ABM on. */
@Injectable()
export class AbmGuard implements CanActivate {
  constructor(private readonly fit: FitReads) {}

  async canActivate(): Promise<boolean> {
    await this.fit.assertAbmEnabled();
    return true;
  }
}
