import { describe, expect, it } from 'vitest';
import { isAvailableEndpoint, isLiveEndpoint } from '../../src/network/gateway-endpoints.js';
import { endpoint } from './model-builders.js';

const S3 = 'com.amazonaws.us-east-1.s3';

describe('isAvailableEndpoint', () => {
  it.each([
    ['available', true],
    ['Available', true],
    ['pending', false],
    ['pendingAcceptance', false],
    ['deleting', false],
    ['deleted', false],
    ['rejected', false],
    ['failed', false],
  ])('says %s carries traffic: %s', (state, expected) => {
    // Act
    const result = isAvailableEndpoint(endpoint('vpce-1', 'vpc-1', S3, { state }));

    // Assess
    expect(result).toBe(expected);
  });
});

describe('isLiveEndpoint', () => {
  it.each([
    ['available', true],
    ['pending', true],
    ['deleting', false],
    ['rejected', false],
  ])('counts %s as live: %s', (state, expected) => {
    // Act
    const result = isLiveEndpoint(endpoint('vpce-1', 'vpc-1', S3, { state }));

    // Assess
    expect(result).toBe(expected);
  });
});
