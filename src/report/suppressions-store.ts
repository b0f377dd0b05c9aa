import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { SuppressionsError } from '../errors.js';
import {
  type ParseOptions,
  parseSuppressions,
  SUPPRESSIONS_KEYS,
  type Suppression,
} from './suppressions.js';

const isMissing = (error: unknown): boolean => {
  const name = (error as { name?: string })?.name;
  return name === 'NoSuchKey' || name === 'NotFound';
};

/**
 * Reads the suppressions file the deployed functions use from the report bucket (the first of
 * `suppressions.yaml`, `.yml`, `.json` that exists). No file means no accepted risks; an invalid
 * file throws SuppressionsError so a bad edit is noticed rather than silently un-suppressing.
 */
const loadSuppressionsFromBucket = async (
  s3: S3Client,
  bucket: string,
  options: ParseOptions = {},
): Promise<{ suppressions: Suppression[]; key?: string }> => {
  for (const key of SUPPRESSIONS_KEYS) {
    let text: string;
    try {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      text = (await object.Body?.transformToString('utf-8')) ?? '';
    } catch (error) {
      if (isMissing(error)) continue;
      throw new SuppressionsError(
        `cannot read s3://${bucket}/${key}: ${(error as Error).message}`,
        [],
        {
          cause: error,
        },
      );
    }
    return { suppressions: parseSuppressions(text, `s3://${bucket}/${key}`, options), key };
  }
  return { suppressions: [] };
};

export { loadSuppressionsFromBucket };
