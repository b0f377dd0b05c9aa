import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetBucketPolicyCommand } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createClients } from '../../../src/sources/aws/clients.js';
import { ApiCallCounter } from '../../../src/sources/aws/counter.js';

describe('createClients', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('points every client at the given endpoint, path-style for S3, with the given attempts', async () => {
    // Act
    const clients = createClients({
      region: 'eu-west-1',
      endpointUrl: 'http://127.0.0.1:5000',
      maxAttempts: 1,
    });

    // Assess
    for (const client of [clients.ec2, clients.s3, clients.config]) {
      expect(await client.config.endpoint?.()).toMatchObject({
        hostname: '127.0.0.1',
        port: 5000,
        protocol: 'http:',
      });
      expect(await client.config.region()).toBe('eu-west-1');
      expect(await client.config.maxAttempts()).toBe(1);
      const strategy = (await client.config.retryStrategy()) as { mode?: string };
      expect(strategy.mode).toBe('standard');
    }
    expect(clients.s3.config.forcePathStyle).toBe(true);
  });

  it('honours AWS_ENDPOINT_URL when no endpoint is given', async () => {
    // Prepare
    vi.stubEnv('AWS_ENDPOINT_URL', 'http://127.0.0.1:5001');

    // Act
    const clients = createClients({ region: 'us-east-1' });

    // Assess
    expect(await clients.ec2.config.endpoint?.()).toMatchObject({ port: 5001 });
    expect(clients.s3.config.forcePathStyle).toBe(true);
  });

  it('uses AWS endpoints, virtual-hosted S3 and region redirects by default', () => {
    // Prepare
    vi.stubEnv('AWS_ENDPOINT_URL', '');

    // Act
    const clients = createClients({ region: 'us-east-1', profile: 'audit' });

    // Assess
    expect(clients.ec2.config.endpoint).toBeUndefined();
    expect(clients.s3.config.forcePathStyle).toBe(false);
    expect(clients.s3.config.followRegionRedirects).toBe(true);
    expect(clients.ec2.config.profile).toBe('audit');
  });

  it('shares a counter passed in, so several client sets add up', () => {
    // Prepare
    const counter = new ApiCallCounter();

    // Act
    const clients = createClients({ region: 'us-east-1', counter });

    // Assess
    expect(clients.counter).toBe(counter);
  });

  it('keeps a keep-alive pool as wide as the reads in flight (3 per resource), reused call after call', async () => {
    // Prepare: an S3 stand-in that answers each request after a short delay.
    let connections = 0;
    let inFlight = 0;
    let widest = 0;
    const server = createServer((_request, response) => {
      inFlight += 1;
      widest = Math.max(widest, inFlight);
      setTimeout(() => {
        inFlight -= 1;
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"Version":"2012-10-17","Statement":[]}');
      }, 20);
    });
    server.on('connection', () => {
      connections += 1;
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const clients = createClients({
      region: 'us-east-1',
      endpointUrl: `http://127.0.0.1:${port}`,
      maxAttempts: 1,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      concurrency: 3,
    });

    try {
      // Act: 24 reads at once, more than the pool of 3 resources × 3 reads.
      await Promise.all(
        Array.from({ length: 24 }, (_, index) =>
          clients.s3.send(new GetBucketPolicyCommand({ Bucket: `bucket-${index}` })),
        ),
      );

      // Assess: never more than 9 connections, each reused for several reads.
      expect(widest).toBe(9);
      expect(connections).toBe(9);
    } finally {
      clients.s3.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
