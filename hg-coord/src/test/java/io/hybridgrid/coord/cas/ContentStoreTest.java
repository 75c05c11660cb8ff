package io.hybridgrid.coord.cas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hybridgrid.coord.testing.MutableClock;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContentStoreTest {
  @TempDir Path dir;
  final MutableClock clock = new MutableClock(Instant.parse("2026-11-30T10:00:00Z"));

  ContentStore store(long diskBytes) throws Exception {
    return new ContentStore(new CasSettings(1 << 20, dir, diskBytes, 1 << 20), clock).start();
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void storesVerifiedBlobsAndReadsThemBack() throws Exception {
    ContentStore cas = store(1 << 20);
    byte[] data = bytes("#define X 1\n");
    Digest d = Digest.of(data);
    assertEquals(List.of(d), cas.findMissing(List.of(d)));
    assertTrue(cas.put(d, data, true));
    assertFalse(cas.put(d, data, true), "a second upload of the same blob adds nothing");
    assertEquals(List.of(), cas.findMissing(List.of(d, Digest.EMPTY)));
    assertArrayEquals(data, cas.read(d).orElseThrow());
    CasStats s = cas.stats();
    assertEquals(2, s.uploadedBlobs());
    assertEquals(2L * data.length, s.uploadedBytes());
    assertEquals(1, s.storedBlobs());
    assertEquals(data.length, s.storedBytes());
    assertEquals(1, s.heldBlobs());
    assertEquals(data.length, s.heldBytes());
    assertEquals(1, s.readBlobs());
    assertEquals(1, s.findMissingMisses());
    assertEquals(2, s.findMissingHits());
  }

  @Test
  void mismatchingBlobIsRefusedAndNeverStored() throws Exception {
    ContentStore cas = store(1 << 20);
    byte[] real = bytes("int x;\n");
    Digest d = Digest.of(real);
    InvalidBlobException e =
        assertThrows(InvalidBlobException.class, () -> cas.put(d, bytes("int y;\n"), true));
    assertTrue(e.getMessage().contains(d.hash()), e.getMessage());
    assertFalse(cas.contains(d));
    assertFalse(Files.exists(cas.path(d)));
    assertEquals(1, cas.stats().refusedUploads());
    assertEquals(0, cas.stats().storedBlobs());

    // Streamed: right size, wrong bytes.
    ContentStore.BlobWriter w = cas.openWriter(d);
    w.write(ByteBuffer.wrap(bytes("int y;\n")));
    assertThrows(InvalidBlobException.class, w::commit);
    // Streamed: more bytes than declared.
    ContentStore.BlobWriter w2 = cas.openWriter(d);
    assertThrows(
        InvalidBlobException.class, () -> w2.write(ByteBuffer.wrap(bytes("int x;\nmore"))));
    assertFalse(cas.contains(d));
    assertEquals(3, cas.stats().refusedUploads());
    try (var files = Files.walk(dir)) {
      assertEquals(0, files.filter(Files::isRegularFile).count(), "no temporary file left");
    }
  }

  @Test
  void tooLargeBlobIsRefusedNamingTheBound() throws Exception {
    ContentStore cas = store(1 << 20);
    Digest big = new Digest("a".repeat(64), (1 << 20) + 1);
    InvalidBlobException e = assertThrows(InvalidBlobException.class, () -> cas.openWriter(big));
    assertTrue(e.getMessage().contains("1048576"), e.getMessage());
  }

  @Test
  void evictsLeastRecentlyUsedBeyondTheBoundAndSurvivesARestart() throws Exception {
    ContentStore cas = store(30);
    byte[] a = bytes("aaaaaaaaaa");
    byte[] b = bytes("bbbbbbbbbb");
    byte[] c = bytes("cccccccccc");
    byte[] e = bytes("eeeeeeeeee");
    cas.put(Digest.of(a), a, true);
    clock.advance(Duration.ofHours(1));
    cas.put(Digest.of(b), b, true);
    clock.advance(Duration.ofHours(1));
    cas.put(Digest.of(c), c, true);
    clock.advance(Duration.ofHours(1));
    assertTrue(cas.contains(Digest.of(a))); // a is now the most recently used
    cas.put(Digest.of(e), e, true);
    assertFalse(cas.contains(Digest.of(b)), "b was least recently used");
    assertTrue(cas.contains(Digest.of(c)));
    assertEquals(30, cas.stats().heldBytes());
    assertEquals(1, cas.stats().evictedBlobs());

    Files.writeString(dir.resolve("leftover.1.tmp"), "half a blob");
    ContentStore again = store(30);
    assertEquals(3, again.stats().heldBlobs());
    assertArrayEquals(a, again.read(Digest.of(a)).orElseThrow());
    assertEquals(Optional.empty(), again.read(Digest.of(b)));
    assertFalse(Files.exists(dir.resolve("leftover.1.tmp")));
    // c is the oldest on disk now (a was touched an hour after it, e written last).
    byte[] f = bytes("ffffffffff");
    again.put(Digest.of(f), f, true);
    assertFalse(again.contains(Digest.of(c)));
    assertTrue(again.contains(Digest.of(a)));
  }
}
