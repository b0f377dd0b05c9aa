import { PublishCommand, type PublishCommandInput, type SNSClient } from '@aws-sdk/client-sns';
import { AlertDeliveryError } from '../errors.js';
import type { AlertMessage } from './message.js';

/**
 * SNS JSON message structure: people get text (e-mail, SMS, and `default` for any other protocol,
 * e-mail-json included), programs get the JSON document (SQS, Lambda, HTTP(S)). Every copy counts
 * against SNS's 256 KiB, hence no more protocols than these.
 */
const messageStructureOf = (message: AlertMessage): Record<string, string> => {
  const json = JSON.stringify(message.document);
  return {
    default: message.text,
    email: message.text,
    sms: message.sms,
    sqs: json,
    lambda: json,
    http: json,
    https: json,
  };
};

const publishInputOf = (topicArn: string, message: AlertMessage): PublishCommandInput => ({
  TopicArn: topicArn,
  Subject: message.subject,
  MessageStructure: 'json',
  Message: JSON.stringify(messageStructureOf(message)),
  MessageAttributes: Object.fromEntries(
    Object.entries(message.attributes).map(([name, value]) => [
      name,
      { DataType: 'String', StringValue: value },
    ]),
  ),
});

/**
 * What SNS counts against its size limit: the message and every attribute's name, data type and
 * value, in UTF-8 bytes. The subject is added too, so the figure never falls short.
 */
const snsMessageBytes = (message: AlertMessage): number => {
  let bytes = Buffer.byteLength(JSON.stringify(messageStructureOf(message)));
  bytes += Buffer.byteLength(message.subject);
  for (const [name, value] of Object.entries(message.attributes)) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength('String') + Buffer.byteLength(value);
  }
  return bytes;
};

interface AlertPublisher {
  /** Resolves with the SNS message id; rejects with AlertDeliveryError. */
  publish(message: AlertMessage): Promise<string>;
}

const snsPublisher = (sns: SNSClient, topicArn: string): AlertPublisher => ({
  async publish(message) {
    try {
      const output = await sns.send(new PublishCommand(publishInputOf(topicArn, message)));
      return output.MessageId ?? '';
    } catch (error) {
      throw new AlertDeliveryError(
        `SNS did not accept the alert "${message.subject}": ${(error as Error).message}`,
        { cause: error },
      );
    }
  },
});

export type { AlertPublisher };
export { messageStructureOf, publishInputOf, snsMessageBytes, snsPublisher };
