import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { tuneExpress } from '../src/create-app.js';

// The yardstick for the routes that go through Nest: NestJS's own hello world, on the same Express
// adapter with the same Express settings as the service, so the ratio shows what the service adds.

@Controller()
class HelloController {
  @Get()
  hello(): string {
    return 'Hello World!';
  }
}

@Module({ controllers: [HelloController] })
class HelloModule {}

const app = await NestFactory.create<NestExpressApplication>(HelloModule, new ExpressAdapter(), {
  logger: false,
  bodyParser: false,
});
tuneExpress(app);
await app.listen(0, '127.0.0.1');
const address = app.getHttpServer().address() as AddressInfo;
console.log(JSON.stringify({ message: 'listening', port: address.port }));
