package io.hybridgrid.cli.cache;

import io.hybridgrid.cli.cache.EntryCodec.CorruptEntryException;
import java.util.ArrayList;
import java.util.List;

/**
 * Direct mode's record for one (compiler, arguments, working directory, source, environment): the
 * header sets seen so far and the result each one produced. A lookup that finds every header of one
 * entry unchanged knows the result key without running the preprocessor.
 *
 * @param entries newest last; at most {@link #MAX_ENTRIES}
 */
public record Manifest(List<Manifest.Entry> entries) {

  /** Older header sets are forgotten beyond this many. */
  public static final int MAX_ENTRIES = 16;

  public Manifest {
    entries = List.copyOf(entries);
  }

  /**
   * One recorded file: absolute path, size and content digest.
   *
   * @param path the absolute path the preprocessor read
   * @param size its size in bytes
   * @param hash its content digest
   */
  public record FileHash(String path, long size, Hash128 hash) {}

  /**
   * One header set.
   *
   * @param headers every file the preprocessor read besides the main source
   * @param dateStamp the date the unit's {@code __DATE__} stood for, or empty when it used none
   * @param result the key of the result this header set produced
   */
  public record Entry(List<FileHash> headers, String dateStamp, Hash128 result) {
    public Entry {
      headers = List.copyOf(headers);
    }
  }

  /** This manifest with {@code e} added (replacing an entry with the same headers). */
  public Manifest with(Entry e) {
    List<Entry> out = new ArrayList<>();
    for (Entry old : entries) {
      if (!(old.headers().equals(e.headers()) && old.dateStamp().equals(e.dateStamp()))) {
        out.add(old);
      }
    }
    out.add(e);
    while (out.size() > MAX_ENTRIES) {
      out.remove(0);
    }
    return new Manifest(out);
  }

  byte[] encode() {
    EntryCodec.Writer w = new EntryCodec.Writer(EntryCodec.MANIFEST).putInt(entries.size());
    for (Entry e : entries) {
      w.putHash(e.result()).putString(e.dateStamp()).putInt(e.headers().size());
      for (FileHash h : e.headers()) {
        w.putString(h.path()).putLong(h.size()).putHash(h.hash());
      }
    }
    return w.finish();
  }

  static Manifest decode(byte[] file) throws CorruptEntryException {
    EntryCodec.Reader r = EntryCodec.open(file, EntryCodec.MANIFEST);
    int n = r.getInt();
    if (n < 0 || n > MAX_ENTRIES) {
      throw new CorruptEntryException("bad entry count " + n);
    }
    List<Entry> entries = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Hash128 result = r.getHash();
      String date = r.getString();
      int h = r.getInt();
      if (h < 0) {
        throw new CorruptEntryException("bad header count " + h);
      }
      List<FileHash> headers = new ArrayList<>(Math.min(h, 4096));
      for (int j = 0; j < h; j++) {
        headers.add(new FileHash(r.getString(), r.getLong(), r.getHash()));
      }
      entries.add(new Entry(headers, date, result));
    }
    r.expectEnd();
    return new Manifest(entries);
  }
}
