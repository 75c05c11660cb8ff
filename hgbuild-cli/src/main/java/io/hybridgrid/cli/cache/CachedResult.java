package io.hybridgrid.cli.cache;

import io.hybridgrid.cli.cache.EntryCodec.CorruptEntryException;
import java.util.Objects;

/**
 * A successful compile as the cache keeps it. Failed compiles are never stored.
 *
 * @param objectPath the {@code -o} path of the compile that produced it, so a hit for another path
 *     can rewrite the dependency file's target
 * @param object the object file
 * @param stdout what the compiler printed
 * @param stderr the compiler's warnings
 * @param deps the dependency file, or null when the compile wrote none
 */
public record CachedResult(
    String objectPath, byte[] object, byte[] stdout, byte[] stderr, byte[] deps) {

  public CachedResult {
    Objects.requireNonNull(objectPath, "objectPath");
    Objects.requireNonNull(object, "object");
    Objects.requireNonNull(stdout, "stdout");
    Objects.requireNonNull(stderr, "stderr");
  }

  byte[] encode() {
    EntryCodec.Writer w =
        new EntryCodec.Writer(EntryCodec.RESULT)
            .putString(objectPath)
            .putBytes(object)
            .putBytes(stdout)
            .putBytes(stderr)
            .putInt(deps == null ? 0 : 1);
    if (deps != null) {
      w.putBytes(deps);
    }
    return w.finish();
  }

  static CachedResult decode(byte[] file) throws CorruptEntryException {
    EntryCodec.Reader r = EntryCodec.open(file, EntryCodec.RESULT);
    String objectPath = r.getString();
    byte[] object = r.getBytes();
    byte[] stdout = r.getBytes();
    byte[] stderr = r.getBytes();
    int hasDeps = r.getInt();
    if (hasDeps != 0 && hasDeps != 1) {
      throw new CorruptEntryException("bad dependency flag");
    }
    byte[] deps = hasDeps == 1 ? r.getBytes() : null;
    r.expectEnd();
    return new CachedResult(objectPath, object, stdout, stderr, deps);
  }
}
