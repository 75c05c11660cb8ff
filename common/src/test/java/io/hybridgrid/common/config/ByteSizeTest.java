package io.hybridgrid.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ByteSizeTest {
  @ParameterizedTest
  @CsvSource({
    "0, 0",
    "1024, 1024",
    "64K, 65536",
    "512M, 536870912",
    "512m, 536870912",
    "10G, 10737418240",
    "10GB, 10737418240",
    "2GiB, 2147483648",
    "1T, 1099511627776",
  })
  void parses(String text, long bytes) {
    assertEquals(bytes, ByteSize.parse(text));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", "M", "-1G", "1.5G", "10X", "12 apples", "99999999999999999999", "9000000000T"})
  void rejectsWithTheValueInTheMessage(String text) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ByteSize.parse(text));
    assertTrue(e.getMessage().contains("'" + text + "'"), e.getMessage());
  }
}
