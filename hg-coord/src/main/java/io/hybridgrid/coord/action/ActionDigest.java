package io.hybridgrid.coord.action;

import io.hybridgrid.common.toolchain.Toolchains;
import io.hybridgrid.coord.action.ActionSpec.InputFile;
import io.hybridgrid.coord.action.ActionSpec.Symlink;
import io.hybridgrid.coord.cache.CacheKey;
import io.hybridgrid.coord.cas.Digest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;

/**
 * The coordinator's own name for an action: SHA-256 over a canonical encoding of what it received,
 * so the action cache trusts no client-supplied key and two clients that send the same action in a
 * different order share one entry.
 *
 * <p>Encoding, each string as its UTF-8 length (4 bytes, big-endian) then its bytes, each count and
 * size as 8 bytes: the tag {@code hg-action/1}; argv in order; cwd; the environment sorted by name
 * (name, value); inputs sorted by path (path, hash, size, executable as 1 byte); symlinks sorted by
 * path (path, target); directories sorted; output paths sorted; compiler family, version, target,
 * C++ driver (1 byte); compiler path; toolchain host arch and the toolchain digest the coordinator
 * computes from its files ({@link #toolchain}), then its symlinks sorted by path. Paths sort by
 * their UTF-8 bytes, unsigned.
 */
public final class ActionDigest {
  private static final HexFormat HEX = HexFormat.of();

  /** Orders strings by their UTF-8 bytes, unsigned (what a C client gets from strcmp). */
  public static final Comparator<String> UTF8_ORDER =
      (a, b) ->
          Arrays.compareUnsigned(
              a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

  private ActionDigest() {}

  /** The action's key in the action cache. */
  public static CacheKey of(ActionSpec a) {
    return of(a, a.toolchain().isEmpty() ? "" : toolchain(a.toolchain()));
  }

  /**
   * The same key for an action {@link ActionValidator#validate} accepted, whose toolchain digest is
   * therefore the one computed over its files: the list is not hashed again.
   */
  public static CacheKey ofValid(ActionSpec a) {
    return of(a, a.toolchain().isEmpty() ? "" : a.toolchain().digest());
  }

  private static CacheKey of(ActionSpec a, String toolchainDigest) {
    Encoder e = new Encoder();
    e.string("hg-action/1");
    e.count(a.argv().size());
    a.argv().forEach(e::string);
    e.string(a.cwd());
    e.count(a.env().size());
    List<String> names = new ArrayList<>(a.env().keySet());
    names.sort(UTF8_ORDER);
    for (String name : names) {
      e.string(name);
      e.string(a.env().get(name));
    }
    files(e, a.inputs());
    links(e, a.symlinks());
    sortedStrings(e, a.directories());
    sortedStrings(e, a.outputPaths());
    e.string(a.compiler().family());
    e.string(a.compiler().version());
    e.string(a.compiler().target());
    e.flag(a.compiler().cxxDriver());
    e.string(a.compilerPath());
    e.string(a.toolchain().hostArch());
    e.string(toolchainDigest);
    links(e, a.toolchain().symlinks());
    return CacheKey.of(e.sha.digest());
  }

  /**
   * The toolchain digest clients must send: {@link Toolchains#digestOf} over its host architecture,
   * files and links, the function the client and the worker use too.
   */
  public static String toolchain(ActionSpec.Toolchain t) {
    List<Toolchains.FileEntry> files = new ArrayList<>(t.files().size());
    for (InputFile f : t.files()) {
      files.add(
          new Toolchains.FileEntry(f.path(), f.digest().hash(), f.digest().size(), f.executable()));
    }
    List<Toolchains.LinkEntry> links = new ArrayList<>(t.symlinks().size());
    for (Symlink l : t.symlinks()) {
      links.add(new Toolchains.LinkEntry(l.path(), l.target()));
    }
    return Toolchains.digestOf(t.hostArch(), files, links);
  }

  private static void files(Encoder e, List<InputFile> files) {
    e.count(files.size());
    for (InputFile f : sorted(files, InputFile::path)) {
      e.string(f.path());
      e.string(f.digest().hash());
      e.count(f.digest().size());
      e.flag(f.executable());
    }
  }

  private static void links(Encoder e, List<Symlink> links) {
    e.count(links.size());
    for (Symlink s : sorted(links, Symlink::path)) {
      e.string(s.path());
      e.string(s.target());
    }
  }

  private static void sortedStrings(Encoder e, List<String> values) {
    e.count(values.size());
    sorted(values, Function.identity()).forEach(e::string);
  }

  private static <T> List<T> sorted(List<T> values, Function<T, String> key) {
    List<T> copy = new ArrayList<>(values);
    copy.sort(Comparator.comparing(key, UTF8_ORDER));
    return copy;
  }

  /** Length-prefixed fields into one SHA-256, so no two field sequences encode alike. */
  private static final class Encoder {
    final MessageDigest sha = Digest.sha256();
    final ByteBuffer buf = ByteBuffer.allocate(8);

    void string(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      buf.clear();
      buf.putInt(b.length);
      sha.update(buf.array(), 0, 4);
      sha.update(b);
    }

    void count(long n) {
      buf.clear();
      buf.putLong(n);
      sha.update(buf.array(), 0, 8);
    }

    void flag(boolean b) {
      sha.update((byte) (b ? 1 : 0));
    }
  }
}
