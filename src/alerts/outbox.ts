/**
 * Collects the transitions of one SQS batch per group (account, region, Config rule) and sends
 * each group once all of its records have either joined it or turned out to be duplicates. Each
 * record's idempotent step waits for its group's send, so a transition is recorded as done only
 * after SNS accepted the message that carries it; a failed send fails exactly the records in it.
 */

/** Per member, in order: undefined when its message was accepted, else why not. */
type GroupSender<T> = (group: string, members: readonly T[]) => Promise<(Error | undefined)[]>;

interface Waiting<T> {
  member: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

interface GroupState<T> {
  expected: number;
  settled: number;
  waiting: Waiting<T>[];
}

class BatchOutbox<T> {
  readonly #send: GroupSender<T>;
  readonly #groups = new Map<string, GroupState<T>>();

  constructor(send: GroupSender<T>) {
    this.#send = send;
  }

  /** Announces one more record that will either `join` or `skip` the group. */
  expect(group: string): void {
    const state = this.#groups.get(group) ?? { expected: 0, settled: 0, waiting: [] };
    state.expected += 1;
    this.#groups.set(group, state);
  }

  /** Adds a member; resolves once the message carrying it was accepted. */
  join(group: string, member: T): Promise<void> {
    return new Promise((resolve, reject) => {
      const state = this.#stateOf(group);
      state.waiting.push({ member, resolve, reject });
      this.#settle(group, state);
    });
  }

  /** The record will not join (already alerted, or its idempotency step failed first). */
  skip(group: string): void {
    this.#settle(group, this.#stateOf(group));
  }

  #stateOf(group: string): GroupState<T> {
    const state = this.#groups.get(group);
    if (!state) throw new Error(`BatchOutbox: group ${group} was never announced`);
    return state;
  }

  #settle(group: string, state: GroupState<T>): void {
    state.settled += 1;
    if (state.settled < state.expected || state.waiting.length === 0) return;
    const waiting = state.waiting;
    state.waiting = [];
    this.#send(
      group,
      waiting.map((entry) => entry.member),
    ).then(
      (results) => {
        waiting.forEach((entry, index) => {
          const error = results[index];
          if (error) entry.reject(error);
          else entry.resolve();
        });
      },
      (error: unknown) => {
        for (const entry of waiting) entry.reject(error);
      },
    );
  }
}

export type { GroupSender };
export { BatchOutbox };
