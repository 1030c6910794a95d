/** DeleteObject, and the single-key deletion DeleteObjects repeats per key. */
import { requireAllowed } from './authorize';
import type { BucketStore } from './bucket-store';
import type { S3Request, S3Response } from './s3-request';

export interface DeletionResult {
  /** The version removed, when a version id was given. */
  readonly versionId?: string;
  /** Set when the deletion created a delete marker, or removed one. */
  readonly deleteMarker?: boolean;
  readonly deleteMarkerVersionId?: string;
}

/** The IAM action a deletion needs: removing a specific version is its own permission. */
export function deleteAction(versionId: string | undefined): string {
  return versionId === undefined ? 's3:DeleteObject' : 's3:DeleteObjectVersion';
}

/** Deleting an absent key or version succeeds in S3, so this never fails. */
export function deleteKey(bucket: BucketStore, key: string, versionId: string | undefined): DeletionResult {
  if (versionId !== undefined) {
    const removed = bucket.removeVersion(key, versionId);
    return removed?.isDeleteMarker ? { versionId, deleteMarker: true, deleteMarkerVersionId: versionId } : { versionId };
  }
  const marker = bucket.deleteCurrent(key);
  return marker ? { deleteMarker: true, deleteMarkerVersionId: marker.versionId } : {};
}

export function deleteObject(request: S3Request): S3Response {
  const versionId = request.query.get('versionId') ?? undefined;
  requireAllowed(request, deleteAction(versionId), request.bucket.objectArn(request.key));
  const result = deleteKey(request.bucket, request.key, versionId);
  const headers: Record<string, string> = {};
  if (result.deleteMarker) headers['x-amz-delete-marker'] = 'true';
  const reportedVersion = result.versionId ?? result.deleteMarkerVersionId;
  if (reportedVersion !== undefined) headers['x-amz-version-id'] = reportedVersion;
  return { status: 204, headers };
}
