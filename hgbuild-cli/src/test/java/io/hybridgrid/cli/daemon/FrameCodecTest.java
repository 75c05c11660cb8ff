package io.hybridgrid.cli.daemon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FrameCodecTest {

  private static byte[] frames(LauncherRequest r) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    r.write(new FrameWriter(bytes));
    return bytes.toByteArray();
  }

  private static LauncherRequest decode(byte[] bytes) throws IOException {
    return LauncherRequest.read(new FrameReader(new ByteArrayInputStream(bytes), 1 << 20));
  }

  private static byte[] frame(char type, byte[] payload) {
    return ByteBuffer.allocate(5 + payload.length)
        .put((byte) type)
        .putInt(payload.length)
        .put(payload)
        .array();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private static byte[] hello(int version, int kind) {
    return frame('H', ByteBuffer.allocate(5).putInt(version).put((byte) kind).array());
  }

  private static byte[] text(char type, String s) {
    return frame(type, s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void compileRequestRoundTrips() throws IOException {
    LauncherRequest r =
        new LauncherRequest(
            LauncherRequest.Kind.COMPILE,
            "coord:9000",
            true,
            false,
            List.of("gcc", "-c", "ä.c", ""),
            Path.of("/home/u/proj"),
            Map.of("PATH", "/usr/bin", "EMPTY", "", "EQ", "a=b"));
    assertEquals(r, decode(frames(r)));
  }

  @Test
  void controlRequestsRoundTrip() throws IOException {
    for (LauncherRequest.Kind k : LauncherRequest.Kind.values()) {
      if (k != LauncherRequest.Kind.COMPILE) {
        LauncherRequest r = LauncherRequest.control(k);
        assertEquals(r, decode(frames(r)));
      }
    }
  }

  @Test
  void largeOutputIsSplitIntoFramesUnderTheLimit() throws IOException {
    byte[] big = new byte[Frame.MAX_PAYLOAD + 10];
    Arrays.fill(big, (byte) 'x');
    big[big.length - 1] = 'y';
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    new FrameWriter(bytes).write(Frame.STDOUT, big);
    FrameReader reader =
        new FrameReader(new ByteArrayInputStream(bytes.toByteArray()), Long.MAX_VALUE);
    Frame first = reader.next();
    Frame second = reader.next();
    assertEquals(Frame.MAX_PAYLOAD, first.payload().length);
    assertArrayEquals(
        new byte[] {'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'y'}, second.payload());
    assertThrows(EOFException.class, reader::next);
  }

  @Test
  void truncatedHeaderIsAClearError() {
    byte[] bytes = {'A', 0, 0};
    ProtocolException e =
        assertThrows(
            ProtocolException.class,
            () -> new FrameReader(new ByteArrayInputStream(bytes), 100).next());
    assertEquals("connection closed inside the header of a frame of type 'A'", e.getMessage());
  }

  @Test
  void truncatedPayloadIsAClearError() {
    byte[] bytes = Arrays.copyOf(text('A', "abcdef"), 8);
    ProtocolException e =
        assertThrows(
            ProtocolException.class,
            () -> new FrameReader(new ByteArrayInputStream(bytes), 100).next());
    assertEquals(
        "connection closed after 3 of 6 payload bytes of a frame of type 'A'", e.getMessage());
  }

  @Test
  void oversizedFrameIsRefusedBeforeAllocating() {
    byte[] bytes = ByteBuffer.allocate(5).put((byte) 'E').putInt(-2).array();
    ProtocolException e =
        assertThrows(
            ProtocolException.class,
            () -> new FrameReader(new ByteArrayInputStream(bytes), Long.MAX_VALUE).next());
    assertEquals(
        "frame of type 'E' declares 4294967294 payload bytes; the limit is " + Frame.MAX_PAYLOAD,
        e.getMessage());
  }

  @Test
  void requestLargerThanTheTotalLimitIsRefused() {
    byte[] bytes = concat(text('A', "x".repeat(60)), text('A', "y".repeat(60)));
    FrameReader reader = new FrameReader(new ByteArrayInputStream(bytes), 100);
    ProtocolException e =
        assertThrows(
            ProtocolException.class,
            () -> {
              reader.next();
              reader.next();
            });
    assertEquals("request is larger than 100 bytes", e.getMessage());
  }

  @Test
  void otherProtocolVersionSaysWhatToDo() {
    ProtocolException e =
        assertThrows(
            ProtocolException.class, () -> decode(concat(hello(7, 1), frame('Z', new byte[0]))));
    assertTrue(e.getMessage().contains("protocol version 7"), e.getMessage());
    assertTrue(e.getMessage().contains("hgbuild daemon --stop"), e.getMessage());
  }

  @Test
  void requestMustStartWithHello() {
    ProtocolException e = assertThrows(ProtocolException.class, () -> decode(text('A', "gcc")));
    assertEquals(
        "a request starts with a 5-byte hello frame ('H'), not a 3-byte frame of type 'A'",
        e.getMessage());
  }

  @Test
  void badFieldsAreNamed() {
    byte[] cwd = text('W', "/tmp");
    byte[] gcc = text('A', "gcc");
    byte[] end = frame('Z', new byte[0]);
    assertEquals(
        "environment entry 'NOEQUALS' is not NAME=VALUE",
        assertThrows(
                ProtocolException.class,
                () -> decode(concat(hello(1, 1), cwd, gcc, text('E', "NOEQUALS"), end)))
            .getMessage());
    assertEquals(
        "working directory 'rel/dir' is not absolute",
        assertThrows(
                ProtocolException.class,
                () -> decode(concat(hello(1, 1), text('W', "rel/dir"), gcc, end)))
            .getMessage());
    assertEquals(
        "a compile request has no compiler (no 'A' frame)",
        assertThrows(ProtocolException.class, () -> decode(concat(hello(1, 1), cwd, end)))
            .getMessage());
    assertEquals(
        "a compile request has no working directory (no 'W' frame)",
        assertThrows(ProtocolException.class, () -> decode(concat(hello(1, 1), gcc, end)))
            .getMessage());
    assertEquals(
        "unknown frame type 'Q' in a compile request",
        assertThrows(
                ProtocolException.class,
                () -> decode(concat(hello(1, 1), cwd, gcc, text('Q', "?"), end)))
            .getMessage());
    assertEquals(
        "unknown request kind 9 in the hello frame",
        assertThrows(ProtocolException.class, () -> decode(concat(hello(1, 9), end))).getMessage());
    assertEquals(
        "connection closed before the end of the request ('Z')",
        assertThrows(ProtocolException.class, () -> decode(concat(hello(1, 1), cwd, gcc)))
            .getMessage());
    assertEquals(
        "a PING request has no fields, but frame 'A' came",
        assertThrows(ProtocolException.class, () -> decode(concat(hello(1, 2), gcc, end)))
            .getMessage());
  }

  @Test
  void flagsCarryNoFallbackAndVerbose() throws IOException {
    LauncherRequest r =
        decode(
            concat(
                hello(1, 1),
                frame('F', new byte[] {3}),
                text('W', "/"),
                text('A', "cc"),
                frame('Z', new byte[0])));
    assertTrue(r.noFallback());
    assertTrue(r.verbose());
    assertNull(r.coordinator());
    assertFalse(r.env().containsKey("PATH"));
  }
}
