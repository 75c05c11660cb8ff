package io.hybridgrid.cli.action;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.hybridgrid.cli.cache.FileHashes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileDigestsTest {
  @TempDir Path tmp;

  @Test
  void aSettledFileIsHashedOnceAndAChangedOneAgain() throws Exception {
    Path f = Files.writeString(tmp.resolve("a.h"), "one\n");
    Files.setLastModifiedTime(f, FileTime.from(Instant.parse("2026-01-01T00:00:00Z")));
    Clock clock = Clock.fixed(Instant.now().plusSeconds(5), ZoneOffset.UTC);
    FileDigests digests = new FileDigests(new FileHashes(clock), clock);

    assertEquals(Digest.of("one\n".getBytes()), digests.digest(f).orElseThrow().digest());
    assertEquals(1, digests.size());
    Files.writeString(f, "two!\n");
    assertEquals(Digest.of("two!\n".getBytes()), digests.digest(f).orElseThrow().digest());
  }

  @Test
  void aFileChangedJustNowIsNotRemembered() throws Exception {
    Path f = Files.writeString(tmp.resolve("a.h"), "one\n");
    Clock clock = Clock.fixed(Instant.now().minusSeconds(60), ZoneOffset.UTC);
    FileDigests digests = new FileDigests(new FileHashes(clock), clock);
    assertEquals(Digest.of("one\n".getBytes()), digests.digest(f).orElseThrow().digest());
    assertEquals(0, digests.size(), "a second write in the same tick could go unseen");
  }

  @Test
  void aSavedMemoSparesTheNextDaemonTheHashingUntilAFileChanges() throws Exception {
    Path f = Files.writeString(tmp.resolve("a.h"), "one\n");
    Path g = Files.writeString(tmp.resolve("b.h"), "bee\n");
    Clock clock = Clock.fixed(Instant.now().plusSeconds(5), ZoneOffset.UTC);
    FileHashes stamps = new FileHashes(clock);
    FileDigests first = new FileDigests(stamps, clock);
    assertEquals(Digest.of("one\n".getBytes()), first.digest(f).orElseThrow().digest());
    assertEquals(Digest.of("bee\n".getBytes()), first.digest(g).orElseThrow().digest());
    Path saved = tmp.resolve("digests");
    first.save(saved);

    // Proof that a loaded entry is used as it is: a line claiming another digest for a.h, at
    // a.h's true identity, is believed (only the daemon's own private file is ever loaded).
    Digest claimed = Digest.of("elsewise\n".getBytes());
    String line =
        Files.readAllLines(saved).stream()
            .filter(l -> l.endsWith("/a.h"))
            .findFirst()
            .orElseThrow();
    String forged = claimed.hash() + " 4" + line.substring(line.indexOf(' ', 65));
    Files.writeString(
        saved, forged + "\n" + "not a line\n" + Files.readString(saved).replace(line + "\n", ""));
    FileDigests next = new FileDigests(stamps, clock);
    assertEquals(2, next.load(saved), "two good lines, the bad one skipped");
    assertEquals(claimed.hash(), next.digest(f).orElseThrow().digest().hash());
    assertEquals(Digest.of("bee\n".getBytes()), next.digest(g).orElseThrow().digest());

    // A file that changed since is hashed again.
    Files.writeString(f, "changed\n");
    assertEquals(Digest.of("changed\n".getBytes()), next.digest(f).orElseThrow().digest());
    assertEquals(0, new FileDigests(stamps, clock).load(tmp.resolve("absent")));
  }
}
