import { describe, expect, it } from 'vitest';
import { JobQueue } from './job-queue.js';

function gate(): { wait: Promise<void>; open(): void } {
  let open = (): void => undefined;
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

describe('JobQueue', () => {
  it('runs at most maxConcurrent jobs, in order, and refuses a batch that does not fit whole', async () => {
    const queue = new JobQueue(1, 2);
    const g = gate();
    const order: string[] = [];
    const job = (name: string) => async () => {
      order.push(`start ${name}`);
      await g.wait;
      order.push(`end ${name}`);
    };
    expect(queue.offer([job('a')])).toBe(true);
    expect(queue.offer([job('b'), job('c')])).toBe(true);
    expect([queue.running, queue.waiting]).toEqual([1, 2]);
    expect(queue.offer([job('d')])).toBe(false);
    expect(queue.waiting).toBe(2);
    g.open();
    for (let i = 0; i < 20 && queue.running + queue.waiting > 0; i++)
      await new Promise((r) => setTimeout(r, 1));
    expect(order).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('keeps going after a failing job, and clear() drops jobs that have not started', async () => {
    const queue = new JobQueue(1, 5);
    const g = gate();
    const ran: string[] = [];
    queue.offer([
      async () => {
        await g.wait;
        throw new Error('boom');
      },
      async () => {
        ran.push('second');
      },
    ]);
    g.open();
    for (let i = 0; i < 20 && ran.length === 0; i++) await new Promise((r) => setTimeout(r, 1));
    expect(ran).toEqual(['second']);
    const hold = gate();
    queue.offer([() => hold.wait, async () => void ran.push('dropped')]);
    queue.clear();
    hold.open();
    await new Promise((r) => setTimeout(r, 5));
    expect(ran).toEqual(['second']);
  });
});
