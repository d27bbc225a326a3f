// The DocumentStore contract as a reusable node:test suite. Every backend's test
// file calls describeStoreContract() with a factory that returns a fresh, empty
// store; the rules are those of types.ts and of docs/protocols/zwibbler.md#appends,
// docs/protocols/zwibbler.md#keys and docs/protocols/zwibbler.md#expiration, with
// the reference's bugs fixed
// (docs/protocols/zwibbler.md#every-backend-follows-the-same-rules,
// docs/protocols/zwibbler.md#updateuser-changes-stored-tokens).
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { documentsContract } from './documents';
import type { ContractFixture } from './helpers';
import { keysTokensAndExpiryContract } from './keys';
import type { DocumentStore, StoreOptions } from '../../store/types';

export interface StoreUnderTest {
  store: DocumentStore;
  /** Closes the store and removes whatever it left behind. */
  cleanup: () => Promise<void>;
}

export function describeStoreContract(
  name: string,
  makeStore: (options: StoreOptions) => Promise<StoreUnderTest>,
): void {
  describe(`DocumentStore contract: ${name}`, () => {
    let current: StoreUnderTest | undefined;
    const fixture: ContractFixture = {
      store: () => current!.store,
      clock: { now: 1_000_000 },
    };

    beforeEach(async () => {
      fixture.clock.now = 1_000_000;
      current = await makeStore({ now: () => fixture.clock.now });
    });

    afterEach(async () => {
      await current?.cleanup();
      current = undefined;
    });

    documentsContract(fixture);
    keysTokensAndExpiryContract(fixture);

    test('checkHealth resolves', async () => {
      await assert.doesNotReject(fixture.store().checkHealth());
    });
  });
}
