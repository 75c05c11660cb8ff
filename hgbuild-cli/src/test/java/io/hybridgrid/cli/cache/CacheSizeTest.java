package io.hybridgrid.cli.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CacheSizeTest {

  @ParameterizedTest
  @CsvSource({
    "5G, 5368709120",
    "500M, 524288000",
    "64k, 65536",
    "1048576, 1048576",
    "2GiB, 2147483648",
    "1.5G, 1610612736",
    "10MB, 10485760"
  })
  void parsesSizes(String text, long bytes) {
    assertEquals(bytes, CacheSize.parse("HG_CACHE_SIZE", text));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "lots", "-5G", "0", "5X", "G", "1e3"})
  void rejectsNonSizesNamingTheVariableAndValue(String text) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> CacheSize.parse("HG_CACHE_SIZE", text));
    assertTrue(e.getMessage().startsWith("HG_CACHE_SIZE must be a size"), e.getMessage());
    assertTrue(e.getMessage().endsWith("not '" + text + "'"), e.getMessage());
  }

  @Test
  void configComesFromTheClientsEnvironment() {
    Path cwd = Path.of("/work");
    CacheConfig c =
        CacheConfig.fromEnv(
                Map.of("HOME", "/home/u", "HG_CACHE_SIZE", "1G", "HG_NO_DIRECT", "1"), cwd)
            .orElseThrow();
    assertEquals(Path.of("/home/u/.hybridgrid/cache"), c.dir());
    assertEquals(1L << 30, c.maxBytes());
    assertTrue(c.enabled());
    assertEquals(false, c.direct());
    CacheConfig d =
        CacheConfig.fromEnv(Map.of("HG_CACHE_DIR", "rel/cache", "HG_NO_CACHE", "1"), cwd)
            .orElseThrow();
    assertEquals(Path.of("/work/rel/cache"), d.dir());
    assertEquals(CacheSize.DEFAULT, d.maxBytes());
    assertEquals(false, d.enabled());
    assertTrue(CacheConfig.fromEnv(Map.of(), cwd).isEmpty());
  }
}
