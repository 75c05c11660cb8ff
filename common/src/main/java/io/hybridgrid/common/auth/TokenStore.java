package io.hybridgrid.common.auth;

import io.hybridgrid.common.grpc.FieldLimits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The tokens a coordinator accepts, read from {@code hg-coord serve --tokens FILE}: one {@code ROLE
 * TOKEN [NAME]} per line, {@code #} comments and blank lines ignored. The file must not be readable
 * by group or others (mode 0600 or 0400), as ssh insists for its keys.
 *
 * <p>Tokens are compared in constant time ({@link MessageDigest#isEqual} over SHA-256 digests, so
 * neither content nor length leaks through timing), and every entry is compared on every call.
 */
public final class TokenStore {
  /** Shorter tokens are refused: 16 characters of {@code openssl rand -hex 16} is 64 bits. */
  public static final int MIN_TOKEN_LENGTH = 16;

  private static final Set<PosixFilePermission> GROUP_OR_OTHER =
      EnumSet.of(
          PosixFilePermission.GROUP_READ,
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.GROUP_EXECUTE,
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE,
          PosixFilePermission.OTHERS_EXECUTE);

  private record Entry(byte[] digest, Identity identity) {}

  private final List<Entry> entries;

  private TokenStore(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /** A store of {@code (role, token, name)} entries, for tests and embedding. */
  public static TokenStore of(List<String> lines) {
    return parse(lines, "tokens");
  }

  /**
   * Reads a token file.
   *
   * @throws IllegalArgumentException naming the file, and the line when a line is wrong
   */
  public static TokenStore load(Path file) throws IOException {
    checkPrivate(file, "--tokens");
    return parse(Files.readAllLines(file, StandardCharsets.UTF_8), file.toString());
  }

  /** Refuses a secret file that group or others may read. */
  public static void checkPrivate(Path file, String option) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(option + " " + file + ": no such file");
    }
    Set<PosixFilePermission> perms;
    try {
      perms = Files.getPosixFilePermissions(file);
    } catch (UnsupportedOperationException e) {
      return; // not a POSIX file system: nothing to check
    }
    Set<PosixFilePermission> open = EnumSet.copyOf(GROUP_OR_OTHER);
    open.retainAll(perms);
    if (!open.isEmpty()) {
      throw new IllegalArgumentException(
          option
              + " "
              + file
              + " is readable or writable by others (mode "
              + java.nio.file.attribute.PosixFilePermissions.toString(perms)
              + "): it holds secrets; run chmod 600 "
              + file);
    }
  }

  private static TokenStore parse(List<String> lines, String source) {
    List<Entry> entries = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    int n = 0;
    for (String raw : lines) {
      n++;
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] parts = line.split("\\s+");
      String where = source + " line " + n + ": ";
      if (parts.length < 2 || parts.length > 3) {
        throw new IllegalArgumentException(
            where + "expected 'ROLE TOKEN [NAME]', found " + parts.length + " words");
      }
      Role role;
      try {
        role = Role.parse(parts[0]);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + e.getMessage(), e);
      }
      String token = parts[1];
      if (token.length() < MIN_TOKEN_LENGTH) {
        throw new IllegalArgumentException(
            where
                + "token is "
                + token.length()
                + " characters; use at least "
                + MIN_TOKEN_LENGTH
                + " (e.g. openssl rand -hex 24)");
      }
      if (!seen.add(token)) {
        throw new IllegalArgumentException(where + "the same token is listed twice");
      }
      String name = parts.length == 3 ? parts[2] : role.wireName() + "-" + n;
      if (name.length() > FieldLimits.MAX_NAME) {
        throw new IllegalArgumentException(
            where + "name is longer than " + FieldLimits.MAX_NAME + " characters");
      }
      entries.add(new Entry(sha256(token), Identity.of(name, role)));
    }
    if (entries.isEmpty()) {
      throw new IllegalArgumentException(source + ": no tokens (expected 'ROLE TOKEN [NAME]')");
    }
    return new TokenStore(entries);
  }

  /**
   * The identity {@code token} proves, or empty. Compares against every entry, in constant time.
   */
  public Optional<Identity> authenticate(String token) {
    if (token == null) {
      return Optional.empty();
    }
    byte[] presented = sha256(token);
    Identity found = null;
    for (Entry e : entries) {
      if (MessageDigest.isEqual(e.digest(), presented) && found == null) {
        found = e.identity();
      }
    }
    return Optional.ofNullable(found);
  }

  public int size() {
    return entries.size();
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
