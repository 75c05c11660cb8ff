package io.hybridgrid.cli.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One compile's view of its files: one stat per file, and a read still catches a change. */
class FileHashesScopeTest {
  @TempDir Path dir;

  @Test
  void aScopeKeepsTheFirstIdentityItSawAndANewScopeSeesTheChange() throws Exception {
    Path h = dir.resolve("a.h");
    Files.writeString(h, "#define A 1\n");
    FileHashes hashes = new FileHashes(Clock.systemUTC());
    FileHashes.Scope scope = hashes.scope();
    FileHashes.Stamp first = scope.stamp(h).orElseThrow();

    Files.writeString(h, "#define A 22\n"); // a new size: a new identity

    assertEquals(first, scope.stamp(h).orElseThrow(), "the compile keeps what it first saw");
    assertNotEquals(first, hashes.scope().stamp(h).orElseThrow(), "the next compile sees it");
    assertNotEquals(first, hashes.stamp(h).orElseThrow());
  }

  @Test
  void readingAFileThatChangedSinceTheScopeSawItGivesNoDigest() throws Exception {
    Path h = dir.resolve("b.h");
    Files.writeString(h, "int b;\n");
    FileHashes hashes = new FileHashes(Clock.systemUTC());
    FileHashes.Scope scope = hashes.scope();
    assertTrue(scope.stamp(h).isPresent());

    Files.writeString(h, "int b, c;\n");

    // The content read now is not the version the compile saw: trust neither.
    assertEquals(Optional.empty(), scope.hash(h));
    Optional<FileHashes.Hashed> fresh = hashes.scope().hash(h);
    assertTrue(fresh.isPresent());
    assertEquals(Hash128.of(Files.readAllBytes(h)), fresh.get().hash());
  }

  @Test
  void aMissingFileStaysMissingForTheCompile() throws Exception {
    Path h = dir.resolve("late.h");
    FileHashes.Scope scope = new FileHashes(Clock.systemUTC()).scope();
    assertTrue(scope.stamp(h).isEmpty());

    Files.writeString(h, "int late;\n");

    assertTrue(scope.hash(h).isEmpty(), "created after the compile looked: not part of it");
  }
}
