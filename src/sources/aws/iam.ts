/**
 * The IAM action that authorises each API operation the live view calls. Most share the
 * operation's name; S3 keeps a few historic names. Used to check that every rule's declared
 * `iamActions` (and so its deployed role) covers what the view actually calls.
 */
const RENAMED: Record<string, string> = {
  's3:ListBuckets': 's3:ListAllMyBuckets',
  's3:GetPublicAccessBlock': 's3:GetBucketPublicAccessBlock',
};

/** `ec2:DescribeRouteTables` → `ec2:DescribeRouteTables`; `s3:ListBuckets` → `s3:ListAllMyBuckets`. */
const iamActionFor = (operation: string): string => RENAMED[operation] ?? operation;

export { iamActionFor };
