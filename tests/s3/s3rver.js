// s3rver.js - start the SigV4-checking S3 server on 127.0.0.1 for the integration tests.
//
//   node s3rver.js PORT DIR [ACCESS_KEY SECRET_KEY [BUCKET]]
//
// PORT 0 picks a free port. With ACCESS_KEY and SECRET_KEY that key pair is the only
// one accepted (the built-in S3RVER/S3RVER pair is revoked). BUCKET (default
// bilko-receipts) is created under DIR at start; an existing one is kept with its
// objects. Prints "READY <port>" on stdout once listening; SIGTERM stops it.
'use strict';

const S3rver = require('@20minutes/s3rver');
const { DUMMY_ACCOUNT } = require('@20minutes/s3rver/lib/models/account');

const [port, dir, ak, sk, bucket] = process.argv.slice(2);
if (!dir) {
  console.error('usage: node s3rver.js PORT DIR [ACCESS_KEY SECRET_KEY [BUCKET]]');
  process.exit(2);
}
if (ak && sk) {
  DUMMY_ACCOUNT.revokeAccessKey('S3RVER');
  DUMMY_ACCOUNT.createKeyPair(ak, sk);
}
const server = new S3rver({
  address: '127.0.0.1',
  port: Number(port || 0),
  directory: dir,
  silent: true,
  configureBuckets: bucket === '' ? [] : [{ name: bucket || 'bilko-receipts', configs: [] }],
});
server.run().then(
  ({ port: p }) => console.log('READY ' + p),
  (err) => {
    console.error('s3rver: ' + err.message);
    process.exit(1);
  },
);
process.on('SIGTERM', () => server.close().then(() => process.exit(0), () => process.exit(0)));
