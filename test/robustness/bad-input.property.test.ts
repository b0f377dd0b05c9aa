import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseInvokingEvent, validateConfigRuleEvent } from '../../src/engine/event.js';
import { ConfigItemParseError, InvalidEventError, PolicyParseError } from '../../src/errors.js';
import { RESOURCE_TYPES } from '../../src/model/resources.js';
import { parsePolicy } from '../../src/policy/document.js';
import { parseConfigurationItem } from '../../src/sources/config-item.js';

/** Whatever arrives, the only failure allowed is the typed error that names what is wrong. */
const failsOnlyWith = (run: () => unknown, errorClass: new (...args: never[]) => Error) => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(errorClass);
  }
};

// Items that look like Config items (real types and field names) with arbitrary values in them.
const configLikeItem = fc.record(
  {
    resourceType: fc.oneof(fc.constantFrom(...RESOURCE_TYPES), fc.string()),
    resourceId: fc.oneof(fc.string(), fc.integer()),
    configurationItemStatus: fc.oneof(fc.constantFrom('OK', 'ResourceDeleted'), fc.anything()),
    configurationItemCaptureTime: fc.oneof(
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      fc.anything(),
    ),
    configuration: fc.oneof(
      fc.json(),
      fc.dictionary(
        fc.constantFrom(
          'vpcId',
          'routes',
          'associations',
          'ipPermissions',
          'serviceName',
          'groups',
          'cidrBlock',
          'vpcEndpointType',
          'state',
          'tags',
        ),
        fc.anything(),
      ),
    ),
    supplementaryConfiguration: fc.oneof(
      fc.anything(),
      fc.record({ BucketPolicy: fc.oneof(fc.json(), fc.anything()) }),
    ),
    tags: fc.anything(),
  },
  { requiredKeys: [] },
);

describe('bad input never crashes deep inside', () => {
  it('reads any Config-like item or fails with a ConfigItemParseError', () => {
    fc.assert(
      fc.property(fc.oneof(configLikeItem, fc.anything()), (item) => {
        failsOnlyWith(() => parseConfigurationItem(item), ConfigItemParseError);
      }),
      { numRuns: 2000 },
    );
  });

  it('parses any policy document or fails with a PolicyParseError', () => {
    const statement = fc.record(
      {
        Effect: fc.oneof(fc.constantFrom('Allow', 'Deny'), fc.anything()),
        Principal: fc.oneof(fc.constant('*'), fc.record({ AWS: fc.anything() }), fc.anything()),
        Action: fc.oneof(fc.string(), fc.array(fc.string()), fc.anything()),
        Resource: fc.oneof(fc.string(), fc.array(fc.string()), fc.anything()),
        Condition: fc.oneof(
          fc.dictionary(fc.string(), fc.dictionary(fc.string(), fc.anything())),
          fc.anything(),
        ),
      },
      { requiredKeys: [] },
    );
    const document = fc.oneof(
      fc.record({
        Version: fc.anything(),
        Statement: fc.oneof(statement, fc.array(statement), fc.anything()),
      }),
      fc.json(),
      fc.anything(),
    );
    fc.assert(
      fc.property(document, (doc) => {
        failsOnlyWith(() => parsePolicy(doc), PolicyParseError);
        failsOnlyWith(() => parsePolicy(JSON.stringify(doc) ?? ''), PolicyParseError);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads any invokingEvent text or fails with an InvalidEventError', () => {
    const invoking = fc.oneof(
      fc.string(),
      fc.json(),
      fc
        .record(
          {
            messageType: fc.constantFrom(
              'ConfigurationItemChangeNotification',
              'OversizedConfigurationItemChangeNotification',
              'ScheduledNotification',
            ),
            configurationItem: fc.anything(),
            configurationItemSummary: fc.anything(),
            configurationItemDiff: fc.anything(),
            notificationCreationTime: fc.anything(),
          },
          { requiredKeys: ['messageType'] },
        )
        .map((event) => JSON.stringify(event) ?? ''),
    );
    fc.assert(
      fc.property(invoking, (text) => {
        failsOnlyWith(() => parseInvokingEvent(text), InvalidEventError);
      }),
      { numRuns: 2000 },
    );
  });

  it('validates any Lambda event or fails with an InvalidEventError', () => {
    const event = fc.oneof(
      fc.anything(),
      fc.record(
        {
          invokingEvent: fc.oneof(fc.string(), fc.anything()),
          ruleParameters: fc.oneof(fc.string(), fc.anything()),
          resultToken: fc.oneof(fc.string(), fc.anything()),
          eventLeftScope: fc.anything(),
          accountId: fc.anything(),
          configRuleName: fc.anything(),
        },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(event, (raw) => {
        failsOnlyWith(() => validateConfigRuleEvent(raw), InvalidEventError);
      }),
      { numRuns: 2000 },
    );
  });
});
