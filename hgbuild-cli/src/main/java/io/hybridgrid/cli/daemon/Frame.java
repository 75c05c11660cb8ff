package io.hybridgrid.cli.daemon;

import java.nio.charset.StandardCharsets;

/**
 * One frame of the launcher protocol: a type byte, then the payload's length as a 4-byte big-endian
 * integer, then the payload. docs/design.md ("Launcher and daemon") lists the types.
 *
 * @param type the frame type (an ASCII letter or digit)
 * @param payload its bytes
 */
record Frame(byte type, byte[] payload) {

  // Launcher -> daemon.
  static final byte HELLO = 'H';
  static final byte COORDINATOR = 'C';
  static final byte FLAGS = 'F';
  static final byte CWD = 'W';
  static final byte ARG = 'A';
  static final byte ENV = 'E';
  static final byte END = 'Z';

  // Daemon -> launcher.
  static final byte STDOUT = '1';
  static final byte STDERR = '2';
  static final byte EXIT = 'X';
  static final byte REFUSED = 'R';

  /** The largest payload either side accepts. */
  static final int MAX_PAYLOAD = 16 << 20;

  String text() {
    return new String(payload, StandardCharsets.UTF_8);
  }

  /** The type as a user reads it in an error message: {@code 'A'} or {@code 0x07}. */
  static String describe(int type) {
    return type >= 0x21 && type < 0x7f
        ? "'" + (char) type + "'"
        : String.format("0x%02x", type & 0xff);
  }
}
