/**
 * Step 7, the article's §4.2: one client subscribes to three channels,
 * another to the pattern news.*, a third publishes; both subscribers get
 * the message. Each subscriber has a connection of its own, as the article
 * advises (under RESP2 a subscribed connection takes nothing else).
 */
import { heading, say } from './output.js';
import { withClients } from './clients.js';
import { isUnknownCommand, SkipStep, withTimeout, type TourContext } from './step.js';

export async function pubsubNews(ctx: TourContext): Promise<void> {
  heading(7, 'Publish and subscribe', '§4.2 application');
  try {
    await withClients(ctx, 3, async ([sub, psub, pub]) => {
      let arrived = 0;
      let allArrived: () => void = () => {};
      const both = new Promise<void>((resolve) => (allArrived = resolve));
      const got = (): void => {
        if (++arrived === 2) allArrived();
      };
      const n = await sub!.subscribe(['news.shanxi', 'news.henan', 'news.shandong'], (message, channel) => {
        say(`client 1 received '${message}' on ${channel}`);
        got();
      });
      say(`client 1: SUBSCRIBE news.shanxi news.henan news.shandong -> subscribed to ${n} channels`);
      await psub!.psubscribe('news.*', (message, channel, pattern) => {
        say(`client 2 received '${message}' on ${channel} (pattern ${String(pattern)})`);
        got();
      });
      say('client 2: PSUBSCRIBE news.*');
      say('client 3: PUBLISH news.shanxi harmony');
      const receivers = await pub!.publish('news.shanxi', 'harmony');
      say(`client 3: -> (integer) ${receivers} (subscribers that received it)`);
      await withTimeout(both, 5000, 'the two deliveries');
      say(`harmony received ${arrived} times`);
    });
  } catch (err) {
    if (isUnknownCommand(err)) throw new SkipStep(`skipped: the target has no pub/sub (${(err as Error).message.split(',')[0]})`);
    throw err;
  }
}
