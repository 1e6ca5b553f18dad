import { createServer } from 'node:http';

// The yardstick for GET /: node:http answering the service's own reply, status, type and bytes,
// with nothing else in between.
const body = Buffer.from(process.env.BENCH_BODY ?? '', 'base64');
const status = Number(process.env.BENCH_STATUS ?? 200);
const headers = { 'content-type': process.env.BENCH_TYPE ?? 'text/plain', 'content-length': body.length };
const server = createServer((_req, res) => {
  res.writeHead(status, headers);
  res.end(body);
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(
    JSON.stringify({ message: 'listening', port: typeof address === 'object' ? address?.port : 0 }),
  );
});
