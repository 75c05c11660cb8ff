package io.hybridgrid.worker.cas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalCasTest {
  @TempDir Path dir;

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void storesVerifiedBlobsReadOnly() throws IOException {
    LocalCas cas = LocalCas.open(dir, 1 << 20);
    BlobDigest d = BlobDigest.of(bytes("int x;\n"));
    Path p = cas.put(d, bytes("int x;\n"));
    assertArrayEquals(bytes("int x;\n"), Files.readAllBytes(p));
    assertEquals("r--r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
    assertEquals(p, cas.find(d, false).orElseThrow());
    Path x = cas.find(d, true).orElseThrow();
    assertEquals("r-xr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(x)));
    assertArrayEquals(bytes("int x;\n"), Files.readAllBytes(x));
  }

  @Test
  void aBlobRemovedBehindTheStoresBackIsForgottenOnceALinkToItFails() throws IOException {
    LocalCas cas = LocalCas.open(dir, 1 << 20);
    BlobDigest d = BlobDigest.of(bytes("int gone;\n"));
    Path p = cas.put(d, bytes("int gone;\n"));
    BlobDigest kept = BlobDigest.of(bytes("int kept;\n"));
    cas.put(kept, bytes("int kept;\n"));
    Files.delete(p); // an operator cleaning up

    // The index is trusted (no stat per lookup): the path is offered, and linking it fails.
    assertEquals(p, cas.find(d, false).orElseThrow());
    assertThrows(
        java.nio.file.NoSuchFileException.class, () -> Files.createLink(dir.resolve("l"), p));
    assertTrue(cas.forgetMissing(d));
    assertFalse(cas.contains(d), "fetched again next time");
    assertEquals(bytes("int kept;\n").length, cas.sizeBytes());
    assertFalse(cas.forgetMissing(kept), "a blob still on disk stays");
    assertTrue(cas.contains(kept));
    // Its executable variant, made from the missing plain file, is not offered either.
    cas.put(d, bytes("int gone;\n"));
    Files.delete(cas.find(d, false).orElseThrow());
    assertTrue(cas.find(d, true).isEmpty());
    assertFalse(cas.contains(d));
  }

  @Test
  void refusesBytesThatDoNotMatchTheirDigestAndStoresNothing() throws IOException {
    LocalCas cas = LocalCas.open(dir, 1 << 20);
    BlobDigest claimed = BlobDigest.of(bytes("int x;\n"));
    BlobMismatchException e =
        assertThrows(BlobMismatchException.class, () -> cas.put(claimed, bytes("int y;\n")));
    assertTrue(e.getMessage().contains("refused, not stored"), e.getMessage());
    // Same length, longer and shorter: all refused.
    assertThrows(BlobMismatchException.class, () -> cas.put(claimed, bytes("int x;\n\n")));
    assertThrows(BlobMismatchException.class, () -> cas.put(claimed, bytes("int x")));
    assertFalse(cas.contains(claimed));
    assertTrue(cas.find(claimed, false).isEmpty());
    assertEquals(0, cas.sizeBytes());
    try (var files = Files.walk(dir)) {
      assertEquals(0, files.filter(Files::isRegularFile).count(), "nothing left on disk");
    }
  }

  @Test
  void evictsLeastRecentlyUsedButNeverPinned() throws IOException {
    LocalCas cas = LocalCas.open(dir, 300);
    byte[] a = new byte[100];
    byte[] b = new byte[100];
    byte[] c = new byte[100];
    b[0] = 1;
    c[0] = 2;
    BlobDigest da = BlobDigest.of(a);
    BlobDigest db = BlobDigest.of(b);
    BlobDigest dc = BlobDigest.of(c);
    cas.put(da, a);
    cas.put(db, b);
    cas.put(dc, c);
    cas.find(da, false); // a is now more recent than b
    byte[] d = new byte[100];
    d[0] = 3;
    cas.put(BlobDigest.of(d), d);
    assertFalse(cas.contains(db), "b was least recently used");
    assertTrue(cas.contains(da));
    assertEquals(300, cas.sizeBytes());
    try (LocalCas.Pin pin = cas.pin(List.of(dc))) {
      byte[] e = new byte[150];
      cas.put(BlobDigest.of(e), e);
      assertTrue(cas.contains(dc), "pinned blob survives");
    }
    assertTrue(cas.sizeBytes() <= 300, "bound holds again once unpinned: " + cas.sizeBytes());
  }

  @Test
  void refusesABlobLargerThanTheWholeBound() throws IOException {
    LocalCas cas = LocalCas.open(dir, 10);
    IOException e =
        assertThrows(IOException.class, () -> cas.put(BlobDigest.of(new byte[11]), new byte[11]));
    assertTrue(e.getMessage().contains("--cas-size"), e.getMessage());
  }

  @Test
  void reopeningKeepsStoredBlobs() throws IOException {
    LocalCas cas = LocalCas.open(dir, 1 << 20);
    BlobDigest d = BlobDigest.of(bytes("kept"));
    cas.put(d, bytes("kept"));
    LocalCas again = LocalCas.open(dir, 1 << 20);
    assertTrue(again.contains(d));
    assertEquals(4, again.sizeBytes());
  }

  @Test
  void digestsAreValidated() {
    assertThrows(IllegalArgumentException.class, () -> new BlobDigest("abc", 1));
    assertThrows(
        IllegalArgumentException.class, () -> new BlobDigest("A".repeat(64), 1)); // uppercase
    assertThrows(IllegalArgumentException.class, () -> new BlobDigest("a".repeat(64), -1));
    assertEquals(
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        BlobDigest.EMPTY.hash());
  }
}
