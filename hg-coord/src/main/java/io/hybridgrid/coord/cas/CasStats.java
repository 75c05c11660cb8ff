package io.hybridgrid.coord.cas;

/**
 * Counters of the content-addressed store since start, and what it holds now. Exact: every counter
 * is bumped once per blob, at the moment the blob's fate is decided.
 *
 * @param uploadedBlobs blobs clients and workers uploaded that matched their digest (also those the
 *     store already held)
 * @param uploadedBytes their bytes
 * @param storedBlobs blobs newly added to the store (uploads and outputs the coordinator stored
 *     itself), not counting ones it already held
 * @param storedBytes their bytes
 * @param refusedUploads uploads refused: digest mismatch, size mismatch or too large
 * @param readBlobs blobs served to readers
 * @param readBytes their bytes
 * @param findMissingHits digests asked about in FindMissingBlobs that the store held
 * @param findMissingMisses digests asked about that it lacked
 * @param heldBlobs blobs on disk now
 * @param heldBytes their bytes
 * @param memoryBytes bytes in the memory tier now
 * @param evictedBlobs blobs deleted to stay within the disk bound
 */
public record CasStats(
    long uploadedBlobs,
    long uploadedBytes,
    long storedBlobs,
    long storedBytes,
    long refusedUploads,
    long readBlobs,
    long readBytes,
    long findMissingHits,
    long findMissingMisses,
    long heldBlobs,
    long heldBytes,
    long memoryBytes,
    long evictedBlobs) {}
