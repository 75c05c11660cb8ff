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
}
