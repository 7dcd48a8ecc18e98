import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { writeFileSync } from 'node:fs';
import { AppModule } from '../app.module';
import { AppConfig } from '../config/app-config';
import { buildOpenApiDocument, OPENAPI_FILE } from '../platform/openapi/openapi';
import { configureHttp } from '../platform/http/configure-http';

/** Writes openapi.json from the code (`npm run openapi`). A test fails when the checked-in file is stale. */
export async function generateOpenApi(): Promise<string> {
  const config = AppConfig.fromProcess({ QUEUE_DASHBOARD_PASSWORD: '' });
  const app = await NestFactory.create(AppModule.forRoles(config, ['api']), { preview: true, logger: false, abortOnError: false });
  configureHttp(app, config);
  const json = JSON.stringify(buildOpenApiDocument(app), null, 2) + '\n';
  await app.close();
  return json;
}

if (require.main === module) {
  generateOpenApi()
    .then((json) => {
      writeFileSync(OPENAPI_FILE, json);
      process.stdout.write(`wrote ${OPENAPI_FILE}\n`);
      process.exit(0);
    })
    .catch((err) => {
      process.stderr.write(`${err?.stack ?? err}\n`);
      process.exit(1);
    });
}
