import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { writeFileSync } from 'node:fs';
import { AppModule } from '../app.module';
import { AppConfig } from '../config/app-config';
import { buildOpenApiDocument, OPENAPI_FILE } from '../platform/openapi/openapi';
import { configureHttp } from '../platform/http/configure-http';
import { createHttpAdapter } from '../platform/http/http-adapter';

/** Writes openapi.json from the code (`npm run openapi`). A test fails when the checked-in file is stale. */
export async function generateOpenApi(): Promise<string> {
  const config = AppConfig.fromProcess({ QUEUE_DASHBOARD_PASSWORD: '' });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoles(config, ['api']), createHttpAdapter(config), {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  await configureHttp(app, config);
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
