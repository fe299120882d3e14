/** One Redis command as the Upstash REST API takes it: name, then arguments. */
export type RedisCommand = ReadonlyArray<string | number>;

/** What writers after the response need from Redis: queue a command, get its reply later. */
export interface RedisCommandSender {
  send<T = unknown>(command: RedisCommand): Promise<T>;
}

export interface RedisBatchOptions {
  url: string;
  token: string;
  /** Deadline of each pipeline request; nobody waits for it, so it can be long (fail open past it). */
  timeoutMs: number;
  /**
   * True holds every command until `flush()` (the request's background batch, flushed once the
   * response is built). False sends what was queued in the same tick at once (crons, tests).
   * @default false
   */
  holdUntilFlush?: boolean;
}

interface Queued {
  command: RedisCommand;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * The background work one request owes Redis (cache fills, the popular-query counter, the rate
 * limiter's count, a generation re-read) sent as one `/pipeline` request instead of one round
 * trip each. It belongs to one request and is flushed in that request's `waitUntil`, so no
 * request ever waits on, or does I/O for, another.
 *
 * Raw REST, without `Upstash-Encoding: base64`: values are JSON text, which the SDK's reads
 * (automatic deserialisation) parse back the same way. A command queued after the flush (a
 * stale refresh that finished later, a script sent again after NOSCRIPT) goes out on its own.
 */
export class RedisBatch implements RedisCommandSender {
  private queued: Queued[] = [];
  private holding: boolean;
  private draining: Promise<void> | undefined;

  constructor(private readonly options: RedisBatchOptions) {
    this.holding = options.holdUntilFlush ?? false;
  }

  send<T = unknown>(command: RedisCommand): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queued.push({ command, resolve: resolve as (value: unknown) => void, reject });
      // Commands issued together (ZINCRBY then EXPIRE) still share one request.
      if (!this.holding) queueMicrotask(() => void this.drain());
    });
  }

  /** Commands waiting for the flush. */
  get queuedCount(): number {
    return this.queued.length;
  }

  /** Sends everything queued, in one pipeline; later commands are then sent as they come. */
  flush(): Promise<void> {
    this.holding = false;
    return this.drain();
  }

  private drain(): Promise<void> {
    this.draining ??= (async () => {
      while (this.queued.length > 0) await this.sendPipeline(this.queued.splice(0));
    })().finally(() => {
      this.draining = undefined;
      // A command queued between the loop's last check and now would wait for the next one.
      if (this.queued.length > 0 && !this.holding) void this.drain();
    });
    return this.draining;
  }

  private async sendPipeline(batch: Queued[]): Promise<void> {
    try {
      const response = await fetch(`${this.options.url.replace(/\/+$/, "")}/pipeline`, {
        method: "POST",
        headers: { Authorization: `Bearer ${this.options.token}`, "Content-Type": "application/json" },
        body: JSON.stringify(batch.map((entry) => entry.command.map(String))),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      const replies = (await response.json()) as Array<{ result?: unknown; error?: string }> | { error?: string };
      if (!Array.isArray(replies)) throw new Error(`Redis pipeline failed (${response.status}): ${replies.error ?? "no reply"}`);
      batch.forEach((entry, index) => {
        const reply = replies[index];
        if (!reply || reply.error !== undefined) entry.reject(new Error(reply?.error ?? "ERR no reply"));
        else entry.resolve(reply.result ?? null);
      });
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    }
  }
}
