package io.hybridgrid.worker.cas;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fills the local store from files this machine already has: a shipped toolchain names its files at
 * their original paths, and a worker with the same compiler package installed holds most of them
 * byte for byte (docs/toolchains.md). A file is taken only when its content hashes to the digest
 * the action names ({@link LocalCas#put} verifies as it copies), so a different file at the same
 * path costs one read and is remembered by identity (size, modification time, inode) so it is not
 * read again. Thread-safe.
 */
public final class InstalledFiles {
  /** Identities of host files known not to match what an action named there; bounded. */
  private static final int MAX_REMEMBERED = 100_000;

  private record Identity(long size, long modifiedMillis, Object fileKey) {}

  private final Map<Path, Identity> mismatched = new ConcurrentHashMap<>();

  /**
   * Stores {@code digest} from the local file {@code path} when it has exactly that content.
   *
   * @return whether the store holds the blob now from this machine's own file
   */
  public boolean adopt(LocalCas cas, String path, BlobDigest digest) {
    Path p = Path.of(path);
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      return false;
    }
    if (!a.isRegularFile() || a.size() != digest.size()) {
      return false;
    }
    Identity id = new Identity(a.size(), a.lastModifiedTime().toMillis(), a.fileKey());
    if (id.equals(mismatched.get(p))) {
      return false;
    }
    try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
      cas.put(digest, in);
      return true;
    } catch (BlobMismatchException e) {
      if (mismatched.size() >= MAX_REMEMBERED) {
        mismatched.clear();
      }
      mismatched.put(p, id);
      return false;
    } catch (IOException e) {
      return false;
    }
  }
}
