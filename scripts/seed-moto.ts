import { parseArgs } from 'node:util';
import { CreateRouteTableCommand, CreateVpcCommand } from '@aws-sdk/client-ec2';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { createClients } from '../src/sources/aws/index.js';
import { seedAccount } from '../test/integration/seed-account.js';

/**
 * Seeds a running moto_server with the integration tests' account, plus optional bulk route
 * tables and buckets for call-count benchmarks, then prints the generated ids as JSON.
 *
 *   moto_server -H 127.0.0.1 -p 5000 &
 *   node bin/run-ts.js scripts/seed-moto.ts --endpoint http://127.0.0.1:5000 --tables 500 --buckets 200
 *   AWS_ENDPOINT_URL=http://127.0.0.1:5000 AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=testing \
 *     AWS_SECRET_ACCESS_KEY=testing node bin/vpce-guard.js scan --live
 */

const { values } = parseArgs({
  options: {
    endpoint: { type: 'string', default: process.env.AWS_ENDPOINT_URL ?? 'http://127.0.0.1:5000' },
    tables: { type: 'string', default: '0' },
    buckets: { type: 'string', default: '0' },
    reset: { type: 'boolean', default: false },
  },
});

const endpoint = values.endpoint;
if (values.reset) await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
const clients = createClients({
  endpointUrl: endpoint,
  region: 'us-east-1',
  maxAttempts: 1,
  credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
});
const seeded = await seedAccount(clients, endpoint);
const tables = Number(values.tables);
if (tables > 0) {
  const { Vpc } = await clients.ec2.send(new CreateVpcCommand({ CidrBlock: '10.99.0.0/16' }));
  for (let index = 0; index < tables; index++) {
    await clients.ec2.send(new CreateRouteTableCommand({ VpcId: Vpc?.VpcId }));
  }
}
for (let index = 0; index < Number(values.buckets); index++) {
  await clients.s3.send(new CreateBucketCommand({ Bucket: `vg-bulk-${index}` }));
}
console.log(
  JSON.stringify(
    { endpoint, seeded, extraRouteTables: tables, extraBuckets: Number(values.buckets) },
    null,
    2,
  ),
);
