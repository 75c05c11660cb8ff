package io.hybridgrid.common.hash;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class Sha256HexTest {
  @Test
  void onlySixtyFourLowercaseHexCharacters() {
    String empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    assertTrue(Sha256Hex.isValid(empty));
    assertFalse(Sha256Hex.isValid(null));
    assertFalse(Sha256Hex.isValid(""));
    assertFalse(Sha256Hex.isValid(empty.substring(1)), "63 characters");
    assertFalse(Sha256Hex.isValid(empty + "0"), "65 characters");
    assertFalse(Sha256Hex.isValid(empty.toUpperCase(java.util.Locale.ROOT)), "uppercase");
    assertFalse(Sha256Hex.isValid(empty.replace('e', 'g')), "not hex");
    assertFalse(Sha256Hex.isValid("../" + empty.substring(3)), "a path");
  }
}
