// The article's pub/sub example (§4.2): two subscribers, one publisher, one message to both.
// Run:  npx tsx --conditions=source examples/pubsub-news.ts --url redis://127.0.0.1:PORT [--once]
// (--url defaults to $REDIS_URL, else redis://127.0.0.1:6379)
//
// Client 1:  SUBSCRIBE news.shanxi news.henan news.shandong
// Client 2:  PSUBSCRIBE news.*
// Client 3:  PUBLISH news.shanxi harmony     → both receive it
//
// As the article says, a subscriber needs a connection of its own: under
// RESP2 a subscribed connection takes only (un)subscribe commands and PING.
// The program exits once both deliveries arrived (with --once it also
// publishes only one message; without it, it publishes one per second until
// both have it, in case a subscriber was late).
import { createClient } from '@reactor-ts/client';
import { parseClientArgs } from './lib/cli.js';

const { url, extra } = parseClientArgs({ once: { type: 'boolean' } });
const once = extra['once'] === true;

const sub = createClient({ url });
const psub = createClient({ url });
const pub = createClient({ url });
let timer: NodeJS.Timeout | undefined;
try {
  await Promise.all([sub.connect(), psub.connect(), pub.connect()]);
  let pending = 2;
  const both = new Promise<void>((resolve) => {
    const arrived = (): void => {
      if (--pending === 0) resolve();
    };
    void sub
      .subscribe(['news.shanxi', 'news.henan', 'news.shandong'], (message, channel) => {
        console.log(`client 1 (subscribe):  ${channel} -> ${message}`);
        arrived();
      })
      .then((n) => console.log(`client 1 subscribed to ${n} channels`));
    void psub
      .psubscribe('news.*', (message, channel, pattern) => {
        console.log(`client 2 (psubscribe ${pattern}):  ${channel} -> ${message}`);
        arrived();
      })
      .then(() => console.log('client 2 subscribed to news.*'));
  });
  // Publish once both subscriptions are confirmed, i.e. once the server counts them.
  while ((await pub.pubsubNumsub('news.shanxi')).get('news.shanxi') !== 1 || (await pub.pubsubNumpat()) < 1) {
    await new Promise((r) => setTimeout(r, 10));
  }
  const publish = async (): Promise<void> => {
    console.log(`client 3: publish news.shanxi harmony -> ${await pub.publish('news.shanxi', 'harmony')} receivers`);
  };
  await publish();
  if (!once) timer = setInterval(() => void publish(), 1000);
  await both;
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  clearInterval(timer);
  await Promise.all([sub.quit(), psub.quit(), pub.quit()]);
}
