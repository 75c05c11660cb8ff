package io.hybridgrid.cli.cache;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import net.openhft.hashing.LongHashFunction;

/**
 * The on-disk framing of every cache file: {@code "HGC1"}, a kind byte, the payload, and an
 * xxHash64 of everything before it. {@link #open} verifies the checksum on every read; a file that
 * is short, mislabelled or fails the check is {@link CorruptEntryException corrupt}.
 */
final class EntryCodec {
  static final byte RESULT = 'R';
  static final byte MANIFEST = 'M';

  private static final byte[] MAGIC = {'H', 'G', 'C', '1'};
  private static final LongHashFunction XX64 = LongHashFunction.xx();

  private EntryCodec() {}

  /** Thrown for a file that must not be trusted. */
  static final class CorruptEntryException extends Exception {
    private static final long serialVersionUID = 1L;

    CorruptEntryException(String message) {
      super(message);
    }
  }

  /** Builds one file: {@code new Writer(kind)}, put fields, {@link #finish()}. */
  static final class Writer {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(1024);

    Writer(byte kind) {
      out.writeBytes(MAGIC);
      out.write(kind);
    }

    Writer putInt(int v) {
      for (int i = 0; i < 4; i++) {
        out.write(v >>> (24 - 8 * i));
      }
      return this;
    }

    Writer putLong(long v) {
      for (int i = 0; i < 8; i++) {
        out.write((int) (v >>> (56 - 8 * i)));
      }
      return this;
    }

    Writer putBytes(byte[] b) {
      putInt(b.length);
      out.writeBytes(b);
      return this;
    }

    Writer putString(String s) {
      return putBytes(s.getBytes(StandardCharsets.UTF_8));
    }

    Writer putHash(Hash128 h) {
      return putLong(h.hi()).putLong(h.lo());
    }

    byte[] finish() {
      byte[] body = out.toByteArray();
      long sum = XX64.hashBytes(body);
      byte[] file = new byte[body.length + 8];
      System.arraycopy(body, 0, file, 0, body.length);
      for (int i = 0; i < 8; i++) {
        file[body.length + i] = (byte) (sum >>> (56 - 8 * i));
      }
      return file;
    }
  }

  /** Reads the fields of a verified file; any overrun is corruption. */
  static final class Reader {
    private final byte[] b;
    private final int end;
    private int pos;

    private Reader(byte[] b, int start, int end) {
      this.b = b;
      this.pos = start;
      this.end = end;
    }

    int getInt() throws CorruptEntryException {
      need(4);
      int v = 0;
      for (int i = 0; i < 4; i++) {
        v = (v << 8) | (b[pos++] & 0xff);
      }
      return v;
    }

    long getLong() throws CorruptEntryException {
      need(8);
      long v = 0;
      for (int i = 0; i < 8; i++) {
        v = (v << 8) | (b[pos++] & 0xff);
      }
      return v;
    }

    byte[] getBytes() throws CorruptEntryException {
      int n = getInt();
      if (n < 0) {
        throw new CorruptEntryException("negative length");
      }
      need(n);
      byte[] out = new byte[n];
      System.arraycopy(b, pos, out, 0, n);
      pos += n;
      return out;
    }

    String getString() throws CorruptEntryException {
      return new String(getBytes(), StandardCharsets.UTF_8);
    }

    Hash128 getHash() throws CorruptEntryException {
      return new Hash128(getLong(), getLong());
    }

    void expectEnd() throws CorruptEntryException {
      if (pos != end) {
        throw new CorruptEntryException((end - pos) + " trailing bytes");
      }
    }

    private void need(int n) throws CorruptEntryException {
      if (n > end - pos) {
        throw new CorruptEntryException("truncated");
      }
    }
  }

  /** Verifies {@code file} as a {@code kind} file and returns a reader over its payload. */
  static Reader open(byte[] file, byte kind) throws CorruptEntryException {
    int body = file.length - 8;
    if (body < MAGIC.length + 1) {
      throw new CorruptEntryException("truncated: " + file.length + " bytes");
    }
    long stored = 0;
    for (int i = 0; i < 8; i++) {
      stored = (stored << 8) | (file[body + i] & 0xff);
    }
    if (XX64.hashBytes(file, 0, body) != stored) {
      throw new CorruptEntryException("checksum mismatch");
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (file[i] != MAGIC[i]) {
        throw new CorruptEntryException("not a cache entry");
      }
    }
    if (file[MAGIC.length] != kind) {
      throw new CorruptEntryException("wrong kind");
    }
    return new Reader(file, MAGIC.length + 1, body);
  }
}
