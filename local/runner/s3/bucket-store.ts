/** One bucket's settings and objects, with S3's version semantics (a delete marker hides, never erases, in a versioned bucket). */
import { randomBytes } from 'node:crypto';
import type { PolicyDocument } from '../iam/types';

export interface DefaultEncryption {
  readonly algorithm: 'aws:kms' | 'AES256';
  /** For aws:kms; without it S3 uses the account's aws/s3 key. */
  readonly kmsKeyArn?: string;
}

/** How an object's bytes are sealed at rest. */
export interface ObjectSealing {
  readonly algorithm: 'aws:kms' | 'AES256';
  readonly kmsKeyArn?: string;
  /** The object's data key, encrypted under the KMS key (aws:kms) or under the local S3's own key (AES256). */
  readonly encryptedDataKey: Buffer;
  /** The KMS encryption context the data key was made under. */
  readonly encryptionContext?: Readonly<Record<string, string>>;
}

export interface ObjectVersion {
  readonly key: string;
  /** 'null' in a bucket that was never versioned, as S3 reports it. */
  readonly versionId: string;
  readonly isDeleteMarker: boolean;
  readonly lastModified: Date;
  /** The bytes at rest: ciphertext, never the plaintext. */
  readonly storedData: Buffer;
  readonly size: number;
  /** Quoted, as the ETag header carries it. */
  readonly etag: string;
  readonly contentType?: string;
  readonly contentEncoding?: string;
  readonly cacheControl?: string;
  readonly contentDisposition?: string;
  /** x-amz-meta-* values by lower-case suffix. */
  readonly metadata: Readonly<Record<string, string>>;
  /** Verified flexible checksums the object was uploaded with, returned when GetObject asks for them. */
  readonly checksums: Readonly<Record<string, string>>;
  readonly sealing?: ObjectSealing;
}

export interface BucketSettings {
  readonly name: string;
  /** Default arn:aws:s3:::<name>. */
  readonly arn?: string;
  readonly policy?: PolicyDocument;
  readonly versioned?: boolean;
  readonly defaultEncryption?: DefaultEncryption;
  /** The bucket's tags (the template's `Tags`), which GetBucketTagging answers. */
  readonly tags?: Readonly<Record<string, string>>;
}

export const NULL_VERSION = 'null';

function newVersionId(): string {
  // S3 version ids are opaque URL-safe strings of 32 characters.
  return randomBytes(24).toString('base64url');
}

export class BucketStore {
  readonly name: string;
  readonly arn: string;
  readonly createdAt = new Date();
  policy?: PolicyDocument;
  versioned: boolean;
  defaultEncryption?: DefaultEncryption;
  readonly tags: Map<string, string>;
  /** Versions of each key, oldest first. */
  private readonly versions = new Map<string, ObjectVersion[]>();

  constructor(settings: BucketSettings) {
    this.name = settings.name;
    this.arn = settings.arn ?? `arn:aws:s3:::${settings.name}`;
    this.policy = settings.policy;
    this.versioned = settings.versioned ?? false;
    this.defaultEncryption = settings.defaultEncryption;
    this.tags = new Map(Object.entries(settings.tags ?? {}));
  }

  objectArn(key: string): string {
    return `${this.arn}/${key}`;
  }

  /** Stores a new current version; in an unversioned bucket it replaces the object. Answers the version id. */
  put(object: Omit<ObjectVersion, 'versionId' | 'isDeleteMarker'>): ObjectVersion {
    const version: ObjectVersion = { ...object, versionId: this.versioned ? newVersionId() : NULL_VERSION, isDeleteMarker: false };
    this.append(version);
    return version;
  }

  /** The current version, which may be a delete marker. */
  current(key: string): ObjectVersion | undefined {
    const versions = this.versions.get(key);
    return versions?.[versions.length - 1];
  }

  version(key: string, versionId: string): ObjectVersion | undefined {
    return this.versions.get(key)?.find((v) => v.versionId === versionId);
  }

  /** DeleteObject without a version id: a delete marker when versioned, removal otherwise. */
  deleteCurrent(key: string): ObjectVersion | undefined {
    if (!this.versioned) {
      this.removeVersion(key, NULL_VERSION);
      return undefined;
    }
    const marker: ObjectVersion = {
      key,
      versionId: newVersionId(),
      isDeleteMarker: true,
      lastModified: new Date(),
      storedData: Buffer.alloc(0),
      size: 0,
      etag: '',
      metadata: {},
      checksums: {},
    };
    this.append(marker);
    return marker;
  }

  /** Permanently removes one version (or delete marker); answers it, or undefined if there was none. */
  removeVersion(key: string, versionId: string): ObjectVersion | undefined {
    const versions = this.versions.get(key) ?? [];
    const index = versions.findIndex((v) => v.versionId === versionId);
    if (index < 0) return undefined;
    const [removed] = versions.splice(index, 1);
    if (versions.length === 0) this.versions.delete(key);
    return removed;
  }

  /** Current versions that are objects (not delete markers), in S3's listing order: by UTF-8 bytes of the key. */
  listCurrent(): ObjectVersion[] {
    return [...this.versions.keys()]
      .map((key) => this.current(key)!)
      .filter((v) => !v.isDeleteMarker)
      .sort((a, b) => Buffer.compare(Buffer.from(a.key, 'utf8'), Buffer.from(b.key, 'utf8')));
  }

  private append(version: ObjectVersion): void {
    const versions = this.versions.get(version.key) ?? [];
    // Unversioned buckets keep one 'null' version per key; a versioned bucket keeps them all.
    const kept = versions.filter((v) => v.versionId !== NULL_VERSION || this.versioned);
    this.versions.set(version.key, [...kept, version]);
  }
}
